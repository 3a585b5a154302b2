;; Bilinear resample of packed RGB24 into float32 planes: the same fixed-point arithmetic as the
;; JavaScript reference in bilinear-js.ts, so the tensor is bit-identical (see bilinear-wasm.ts).
;; Compiled by `npx tsx scripts/build-wasm.ts` into bilinear-wasm-bytes.ts; a unit test checks
;; the committed bytes still match this file.
;;
;; Per output pixel: one 8-byte load per source row brings both horizontal neighbours (the left
;; pixel at c0 and the right one at c0 + 3, which the tables guarantee whenever the right weight
;; is non-zero). Horizontal lerp first with i32x4.dot_i16x8_s, then vertical with i32x4.mul, as
;; the JS does: every product and sum is an exact integer below 255 * 2048 * 2048 < 2^31. Then value * k + b in f64 (mul, then add, each rounded
;; as in JS) and f32.demote, which rounds like a Float32Array store.
(module
  (memory (export "memory") 1)
  (func (export "resample")
    (param $col0 i32) (param $colW i32)             ;; cw i32: left-pixel byte offset, right weight
    (param $row0 i32) (param $row1 i32) (param $rowW i32) ;; ch i32: upper/lower row byte offsets, lower weight
    (param $cw i32) (param $ch i32)
    (param $src i32)                                ;; address of the frame's first byte
    (param $outR i32) (param $outG i32) (param $outB i32) ;; address of the first content pixel per channel
    (param $pixStride i32) (param $rowStride i32)   ;; output bytes between pixels / rows
    (param $kR f64) (param $kG f64) (param $kB f64) (param $bR f64) (param $bG f64) (param $bB f64)
    (local $y i32) (local $x i32) (local $r0 i32) (local $r1 i32) (local $fy i32) (local $c0 i32) (local $fx i32)
    (local $o i32) (local $gyv v128) (local $fyv v128) (local $a v128) (local $lo v128) (local $hi v128)
    (local $v v128) (local $f v128) (local $kRG v128) (local $bRG v128) (local $w v128) (local $zero v128)
    (local.set $kRG (f64x2.replace_lane 1 (f64x2.splat (local.get $kR)) (local.get $kG)))
    (local.set $bRG (f64x2.replace_lane 1 (f64x2.splat (local.get $bR)) (local.get $bG)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $ch)))
        (local.set $r0 (i32.add (local.get $src) (i32.load (i32.add (local.get $row0) (i32.shl (local.get $y) (i32.const 2))))))
        (local.set $r1 (i32.add (local.get $src) (i32.load (i32.add (local.get $row1) (i32.shl (local.get $y) (i32.const 2))))))
        (local.set $fy (i32.load (i32.add (local.get $rowW) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $gyv (i32x4.splat (i32.sub (i32.const 2048) (local.get $fy))))
        (local.set $fyv (i32x4.splat (local.get $fy)))
        (local.set $o (i32.mul (local.get $y) (local.get $rowStride)))
        (local.set $x (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $x) (local.get $cw)))
            (local.set $c0 (i32.load (i32.add (local.get $col0) (i32.shl (local.get $x) (i32.const 2)))))
            (local.set $fx (i32.load (i32.add (local.get $colW) (i32.shl (local.get $x) (i32.const 2)))))
            ;; Bytes 0-7: the upper row's [R0 G0 B0 R1 G1 B1 - -] (left pixel 0, right pixel 1),
            ;; bytes 8-15: the lower row's.
            (local.set $a (v128.load64_lane 1 (i32.add (local.get $r1) (local.get $c0))
              (v128.load64_zero (i32.add (local.get $r0) (local.get $c0)))))
            ;; Horizontal, one pmaddwd per 4 channels: u16 pairs (left, right) times (2048 - fx, fx).
            ;; $lo = [upper R G B, lower R], $hi = [lower G B, 0, 0].
            (local.set $w (i32x4.splat (i32.or (i32.sub (i32.const 2048) (local.get $fx)) (i32.shl (local.get $fx) (i32.const 16)))))
            (local.set $lo (i32x4.dot_i16x8_s
              (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 8 16 11 16 (local.get $a) (local.get $zero))
              (local.get $w)))
            (local.set $hi (i32x4.dot_i16x8_s
              (i8x16.shuffle 9 16 12 16 10 16 13 16 16 16 16 16 16 16 16 16 (local.get $a) (local.get $zero))
              (local.get $w)))
            ;; Vertical: upper * (2048 - fy) + lower * fy.
            (local.set $v (i32x4.add
              (i32x4.mul (local.get $lo) (local.get $gyv))
              (i32x4.mul
                (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $lo) (local.get $hi))
                (local.get $fyv))))
            (local.set $f (f32x4.demote_f64x2_zero
              (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $v)) (local.get $kRG)) (local.get $bRG))))
            (f32.store (i32.add (local.get $outR) (local.get $o)) (f32x4.extract_lane 0 (local.get $f)))
            (f32.store (i32.add (local.get $outG) (local.get $o)) (f32x4.extract_lane 1 (local.get $f)))
            (f32.store (i32.add (local.get $outB) (local.get $o))
              (f32.demote_f64 (f64.add
                (f64.mul (f64.convert_i32_s (i32x4.extract_lane 2 (local.get $v))) (local.get $kB))
                (local.get $bB))))
            (local.set $o (i32.add (local.get $o) (local.get $pixStride)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $cols)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows)))))
