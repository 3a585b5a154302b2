;; Bilinear resample of packed RGB24 into float32 planes: the same fixed-point arithmetic as the
;; JavaScript reference in bilinear-js.ts, so the tensor is bit-identical (see bilinear-wasm.ts).
;; Compiled by `npx tsx scripts/build-wasm.ts` into bilinear-wasm-bytes.ts; a unit test checks
;; the committed bytes still match this file.
;;
;; Pixels go in pairs when the output is planar (a tail pixel, and interleaved output, one by one).
;; Per output pixel: one 8-byte load per source row brings both horizontal neighbours (the left
;; pixel at c0 and the right one at c0 + 3, which the tables guarantee whenever the right weight
;; is non-zero). Horizontal lerp first with i32x4.dot_i16x8_s, then vertical with i32x4.mul, as
;; the JS does: every product and sum is an exact integer below 255 * 2048 * 2048 < 2^31. Then
;; value * k + b in f64 (mul, then add, each rounded as in JS) and f32.demote, which rounds like
;; a Float32Array store.
;;
;; The per-pixel lerp is written out three times (two pixels of a pair, the one-by-one loop): with
;; it in a function V8 (Node 20) did not inline the call and the kernel took twice as long.
;; Per lerp: $a bytes 0-7 are the upper row's [R0 G0 B0 R1 G1 B1 - -] (left pixel 0, right
;; pixel 1), bytes 8-15 the lower row's; $w = splat((2048 - fx) | fx << 16), the horizontal weights
;; as u16 pairs; $lo = [upper R G B, lower R] and $hi = [lower G B, 0, 0] after one pmaddwd each
;; (shuffle byte 16 is a zero); then upper * (2048 - fy) + lower * fy.
(module
  (memory (export "memory") 1)

  (func (export "resample")
    (param $col0 i32) (param $colW i32)             ;; cw i32: left-pixel byte offset, packed weights (2048 - fx) | fx << 16
    (param $row0 i32) (param $row1 i32) (param $rowW i32) ;; ch i32: upper/lower row byte offsets, lower weight
    (param $cw i32) (param $ch i32)
    (param $src i32)                                ;; address of the frame's first byte
    (param $outR i32) (param $outG i32) (param $outB i32) ;; address of the first content pixel per channel
    (param $pixStride i32) (param $rowStride i32)   ;; output bytes between pixels / rows
    (param $kR f64) (param $kG f64) (param $kB f64) (param $bR f64) (param $bG f64) (param $bB f64)
    (local $y i32) (local $x i32) (local $r0 i32) (local $r1 i32) (local $fy i32) (local $c i32) (local $o i32)
    (local $gyv v128) (local $fyv v128) (local $va v128) (local $vb v128) (local $rg v128) (local $pairs i32)
    (local $a v128) (local $lo v128) (local $hi v128) (local $w v128)
    ;; Pairs only into planar output, where a pair's two values of a channel are adjacent.
    (local.set $pairs (i32.eq (local.get $pixStride) (i32.const 4)))
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
        (block $pairsDone
          (br_if $pairsDone (i32.eqz (local.get $pairs)))
          (loop $pairLoop
            (br_if $pairsDone (i32.ge_u (i32.add (local.get $x) (i32.const 1)) (local.get $cw)))
            (local.set $c (i32.load (i32.add (local.get $col0) (i32.shl (local.get $x) (i32.const 2)))))
            (local.set $a (v128.load64_lane 1 (i32.add (local.get $r1) (local.get $c)) (v128.load64_zero (i32.add (local.get $r0) (local.get $c)))))
            (local.set $w (v128.load32_splat (i32.add (local.get $colW) (i32.shl (local.get $x) (i32.const 2)))))
            (local.set $lo (i32x4.dot_i16x8_s (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 8 16 11 16 (local.get $a) (v128.const i64x2 0 0)) (local.get $w)))
            (local.set $hi (i32x4.dot_i16x8_s (i8x16.shuffle 9 16 12 16 10 16 13 16 16 16 16 16 16 16 16 16 (local.get $a) (v128.const i64x2 0 0)) (local.get $w)))
            (local.set $va (i32x4.add (i32x4.mul (local.get $lo) (local.get $gyv))
              (i32x4.mul (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $lo) (local.get $hi)) (local.get $fyv))))
            (local.set $c (i32.load offset=4 (i32.add (local.get $col0) (i32.shl (local.get $x) (i32.const 2)))))
            (local.set $a (v128.load64_lane 1 (i32.add (local.get $r1) (local.get $c)) (v128.load64_zero (i32.add (local.get $r0) (local.get $c)))))
            (local.set $w (v128.load32_splat offset=4 (i32.add (local.get $colW) (i32.shl (local.get $x) (i32.const 2)))))
            (local.set $lo (i32x4.dot_i16x8_s (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 8 16 11 16 (local.get $a) (v128.const i64x2 0 0)) (local.get $w)))
            (local.set $hi (i32x4.dot_i16x8_s (i8x16.shuffle 9 16 12 16 10 16 13 16 16 16 16 16 16 16 16 16 (local.get $a) (v128.const i64x2 0 0)) (local.get $w)))
            (local.set $vb (i32x4.add (i32x4.mul (local.get $lo) (local.get $gyv))
              (i32x4.mul (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $lo) (local.get $hi)) (local.get $fyv))))
            ;; [Ra Rb Ga Gb] and [Ba Bb - -].
            (local.set $rg (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $va) (local.get $vb)))
            (v128.store64_lane 0 (i32.add (local.get $outR) (local.get $o)) (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $rg)) (f64x2.splat (local.get $kR))) (f64x2.splat (local.get $bR)))))
            (v128.store64_lane 0 (i32.add (local.get $outG) (local.get $o))
              (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $rg) (local.get $rg))) (f64x2.splat (local.get $kG))) (f64x2.splat (local.get $bG)))))
            (v128.store64_lane 0 (i32.add (local.get $outB) (local.get $o))
              (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $va) (local.get $vb))) (f64x2.splat (local.get $kB))) (f64x2.splat (local.get $bB)))))
            (local.set $o (i32.add (local.get $o) (i32.const 8)))
            (local.set $x (i32.add (local.get $x) (i32.const 2)))
            (br $pairLoop)))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $x) (local.get $cw)))
            (local.set $c (i32.load (i32.add (local.get $col0) (i32.shl (local.get $x) (i32.const 2)))))
            (local.set $a (v128.load64_lane 1 (i32.add (local.get $r1) (local.get $c)) (v128.load64_zero (i32.add (local.get $r0) (local.get $c)))))
            (local.set $w (v128.load32_splat (i32.add (local.get $colW) (i32.shl (local.get $x) (i32.const 2)))))
            (local.set $lo (i32x4.dot_i16x8_s (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 8 16 11 16 (local.get $a) (v128.const i64x2 0 0)) (local.get $w)))
            (local.set $hi (i32x4.dot_i16x8_s (i8x16.shuffle 9 16 12 16 10 16 13 16 16 16 16 16 16 16 16 16 (local.get $a) (v128.const i64x2 0 0)) (local.get $w)))
            (local.set $va (i32x4.add (i32x4.mul (local.get $lo) (local.get $gyv))
              (i32x4.mul (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $lo) (local.get $hi)) (local.get $fyv))))
            (f32.store (i32.add (local.get $outR) (local.get $o))
              (f32x4.extract_lane 0 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $va)) (f64x2.splat (local.get $kR))) (f64x2.splat (local.get $bR))))))
            (f32.store (i32.add (local.get $outG) (local.get $o))
              (f32x4.extract_lane 0 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $va) (local.get $va))) (f64x2.splat (local.get $kG))) (f64x2.splat (local.get $bG))))))
            (f32.store (i32.add (local.get $outB) (local.get $o))
              (f32x4.extract_lane 0 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $va) (local.get $va))) (f64x2.splat (local.get $kB))) (f64x2.splat (local.get $bB))))))
            (local.set $o (i32.add (local.get $o) (local.get $pixStride)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $cols)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows)))))
