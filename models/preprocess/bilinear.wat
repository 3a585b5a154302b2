;; Bilinear resample of packed RGB24 into float32 planes: the same fixed-point arithmetic as the
;; JavaScript reference in bilinear-js.ts, so the tensor is bit-identical (see bilinear-wasm.ts).
;; Compiled by `npx tsx scripts/build-wasm.ts` into bilinear-wasm-bytes.ts; a unit test checks
;; the committed bytes still match this file.
;;
;; Per output pixel: one 8-byte load per source row brings both horizontal neighbours (the left
;; pixel at c0 and the right one at c0 + 3, which the tables guarantee whenever the right weight
;; is non-zero), widened to u16. Vertical lerp with i32x4.extmul, horizontal lerp with i32x4.mul:
;; every product and sum is an exact integer below 255 * 2048 * 2048 < 2^31, so the order of the
;; two lerps does not change the value. Then value * k + b in f64 (mul, then add, each rounded
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
    (local $o i32) (local $gyv v128) (local $fyv v128) (local $a v128) (local $b v128) (local $lo v128) (local $hi v128)
    (local $v v128) (local $f v128) (local $kRG v128) (local $bRG v128)
    (local.set $kRG (f64x2.replace_lane 1 (f64x2.splat (local.get $kR)) (local.get $kG)))
    (local.set $bRG (f64x2.replace_lane 1 (f64x2.splat (local.get $bR)) (local.get $bG)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $ch)))
        (local.set $r0 (i32.add (local.get $src) (i32.load (i32.add (local.get $row0) (i32.shl (local.get $y) (i32.const 2))))))
        (local.set $r1 (i32.add (local.get $src) (i32.load (i32.add (local.get $row1) (i32.shl (local.get $y) (i32.const 2))))))
        (local.set $fy (i32.load (i32.add (local.get $rowW) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $gyv (i16x8.splat (i32.sub (i32.const 2048) (local.get $fy))))
        (local.set $fyv (i16x8.splat (local.get $fy)))
        (local.set $o (i32.mul (local.get $y) (local.get $rowStride)))
        (local.set $x (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $x) (local.get $cw)))
            (local.set $c0 (i32.load (i32.add (local.get $col0) (i32.shl (local.get $x) (i32.const 2)))))
            (local.set $fx (i32.load (i32.add (local.get $colW) (i32.shl (local.get $x) (i32.const 2)))))
            ;; u16 lanes [R0 G0 B0 R1 G1 B1 - -] of the upper and lower row.
            (local.set $a (v128.load8x8_u (i32.add (local.get $r0) (local.get $c0))))
            (local.set $b (v128.load8x8_u (i32.add (local.get $r1) (local.get $c0))))
            ;; Vertical: lo = [R0 G0 B0 R1], hi = [G1 B1 - -].
            (local.set $lo (i32x4.add
              (i32x4.extmul_low_i16x8_u (local.get $a) (local.get $gyv))
              (i32x4.extmul_low_i16x8_u (local.get $b) (local.get $fyv))))
            (local.set $hi (i32x4.add
              (i32x4.extmul_high_i16x8_u (local.get $a) (local.get $gyv))
              (i32x4.extmul_high_i16x8_u (local.get $b) (local.get $fyv))))
            ;; Horizontal: [R0 G0 B0] * (2048 - fx) + [R1 G1 B1] * fx.
            (local.set $v (i32x4.add
              (i32x4.mul (local.get $lo) (i32x4.splat (i32.sub (i32.const 2048) (local.get $fx))))
              (i32x4.mul
                (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 0 1 2 3 (local.get $lo) (local.get $hi))
                (i32x4.splat (local.get $fx)))))
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
