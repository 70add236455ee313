;; Boosting's kernel (boost-threads.ts): histograms, their subtraction, the partition of a node's
;; rows and the selection of cut points, compiled to histogram.wasm by
;; scripts/build-wasm.ts. It runs over the fit's shared memory: several threads call it at once,
;; each on its own features. Layout as in histogram.ts: a bin is 4 doubles (gradient sum,
;; hessian sum, row count, unused) = 32 bytes, a feature 256 bins; bins are column-major bytes
;; (feature f's bin of row i at cols + f * n + i). Twice the speed of the same loop in JavaScript
;; (no bounds checks, no tagged numbers).
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Adds rows[start, end) into the histograms at `hist` (feature f's at hist + f * 8192 bytes) of
  ;; the features `features[0, count)` (i32 each), as scikit-learn's HistGradientBoosting does:
  ;; first the rows' gradients and hessians gathered in row order into `ordered` (a gradient and
  ;; hessian pair a row; their sums, added in row order, go to the two doubles at `sums`), then feature by
  ;; feature, two at a time: one feature's column (n bytes) and histogram (8 KiB) stay in the
  ;; core's caches while its rows go by, and the two features' additions do not wait on each other.
  ;; A row's gradient and hessian are added to a bin's as one pair (two doubles in one instruction).
  (func (export "build")
    (param $rows i32) (param $start i32) (param $end i32) (param $cols i32) (param $n i32)
    (param $g i32) (param $h i32) (param $ordered i32) (param $hist i32)
    (param $features i32) (param $count i32) (param $sums i32)
    (local $G f64) (local $H f64) (local $gi f64) (local $hi f64) (local $gh v128)
    (local $p i32) (local $stop i32) (local $i i32) (local $og i32)
    (local $j i32) (local $c1 i32) (local $c2 i32) (local $h1 i32) (local $h2 i32) (local $b i32)
    (local.set $stop (i32.add (local.get $rows) (i32.shl (local.get $end) (i32.const 2))))
    ;; Gather.
    (local.set $p (i32.add (local.get $rows) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $og (local.get $ordered))
    (block $gathered
      (loop $gather
        (br_if $gathered (i32.ge_u (local.get $p) (local.get $stop)))
        (local.set $i (i32.shl (i32.load (local.get $p)) (i32.const 3)))
        (local.set $gi (f64.load (i32.add (local.get $g) (local.get $i))))
        (local.set $hi (f64.load (i32.add (local.get $h) (local.get $i))))
        (f64.store offset=0 (local.get $og) (local.get $gi))
        (f64.store offset=8 (local.get $og) (local.get $hi))
        (local.set $G (f64.add (local.get $G) (local.get $gi)))
        (local.set $H (f64.add (local.get $H) (local.get $hi)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $og (i32.add (local.get $og) (i32.const 16)))
        (br $gather)))
    (f64.store offset=0 (local.get $sums) (local.get $G))
    (f64.store offset=8 (local.get $sums) (local.get $H))
    ;; Features two at a time, then the last one alone (c2 = c1, h2 = h1 and no second add).
    (local.set $j (i32.const 0))
    (block $featuresDone
      (loop $eachPair
        (br_if $featuresDone (i32.ge_s (local.get $j) (local.get $count)))
        (local.set $c1 (i32.load (i32.add (local.get $features) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $h1 (i32.add (local.get $hist) (i32.shl (local.get $c1) (i32.const 13))))
        (local.set $c1 (i32.add (local.get $cols) (i32.mul (local.get $c1) (local.get $n))))
        (local.set $p (i32.add (local.get $rows) (i32.shl (local.get $start) (i32.const 2))))
        (local.set $og (local.get $ordered))
        (if (i32.lt_s (i32.add (local.get $j) (i32.const 1)) (local.get $count))
          (then
            (local.set $c2 (i32.load (i32.add (local.get $features) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 2)))))
            (local.set $h2 (i32.add (local.get $hist) (i32.shl (local.get $c2) (i32.const 13))))
            (local.set $c2 (i32.add (local.get $cols) (i32.mul (local.get $c2) (local.get $n))))
            (block $pairRowsDone
              (loop $pairRows
                (br_if $pairRowsDone (i32.ge_u (local.get $p) (local.get $stop)))
                (local.set $i (i32.load (local.get $p)))
                (local.set $gh (v128.load (local.get $og)))
                (local.set $b (i32.add (local.get $h1) (i32.shl (i32.load8_u (i32.add (local.get $c1) (local.get $i))) (i32.const 5))))
                (local.set $i (i32.add (local.get $h2) (i32.shl (i32.load8_u (i32.add (local.get $c2) (local.get $i))) (i32.const 5))))
                (v128.store offset=0 (local.get $b) (f64x2.add (v128.load offset=0 (local.get $b)) (local.get $gh)))
                (f64.store offset=16 (local.get $b) (f64.add (f64.load offset=16 (local.get $b)) (f64.const 1)))
                (v128.store offset=0 (local.get $i) (f64x2.add (v128.load offset=0 (local.get $i)) (local.get $gh)))
                (f64.store offset=16 (local.get $i) (f64.add (f64.load offset=16 (local.get $i)) (f64.const 1)))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $og (i32.add (local.get $og) (i32.const 16)))
                (br $pairRows)))
            (local.set $j (i32.add (local.get $j) (i32.const 2))))
          (else
            (block $rowsDone
              (loop $eachRow
                (br_if $rowsDone (i32.ge_u (local.get $p) (local.get $stop)))
                (local.set $b (i32.add (local.get $h1) (i32.shl (i32.load8_u (i32.add (local.get $c1) (i32.load (local.get $p)))) (i32.const 5))))
                (v128.store offset=0 (local.get $b) (f64x2.add (v128.load offset=0 (local.get $b)) (v128.load (local.get $og))))
                (f64.store offset=16 (local.get $b) (f64.add (f64.load offset=16 (local.get $b)) (f64.const 1)))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $og (i32.add (local.get $og) (i32.const 16)))
                (br $eachRow)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))))
        (br $eachPair))))

  ;; from[0, doubles) -= sub[0, doubles) (byte offsets, `doubles` even): a larger child's
  ;; histograms as its parent's minus the smaller child's, two doubles at a time.
  (func (export "subtract") (param $from i32) (param $sub i32) (param $doubles i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $from) (i32.shl (local.get $doubles) (i32.const 3))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $from) (local.get $end)))
        (v128.store (local.get $from) (f64x2.sub (v128.load (local.get $from)) (v128.load (local.get $sub))))
        (local.set $from (i32.add (local.get $from) (i32.const 16)))
        (local.set $sub (i32.add (local.get $sub) (i32.const 16)))
        (br $each))))
  ;; Parts rows[from, to) by `goes` (a byte a bin: 1 = left) of the column at `col`: the rows going
  ;; left stay in order from `from`, those going right go in order to scratch from `from`, without
  ;; branches (each row is written to both and one end moves: where a row goes is a coin toss to
  ;; the processor, and its wrong guesses cost more than the writes). Returns how many went left.
  (func (export "partition") (param $rows i32) (param $scratch i32) (param $from i32) (param $to i32) (param $col i32) (param $goes i32) (result i32)
    (local $p i32) (local $stop i32) (local $a i32) (local $z i32) (local $i i32) (local $left i32)
    (local.set $p (i32.add (local.get $rows) (i32.shl (local.get $from) (i32.const 2))))
    (local.set $stop (i32.add (local.get $rows) (i32.shl (local.get $to) (i32.const 2))))
    (local.set $a (local.get $p))
    (local.set $z (i32.add (local.get $scratch) (i32.shl (local.get $from) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $stop)))
        (local.set $i (i32.load (local.get $p)))
        (local.set $left (i32.shl (i32.load8_u (i32.add (local.get $goes) (i32.load8_u (i32.add (local.get $col) (local.get $i))))) (i32.const 2)))
        (i32.store (local.get $a) (local.get $i))
        (i32.store (local.get $z) (local.get $i))
        (local.set $a (i32.add (local.get $a) (local.get $left)))
        (local.set $z (i32.add (local.get $z) (i32.sub (i32.const 4) (local.get $left))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $each)))
    (i32.shr_u (i32.sub (local.get $a) (i32.add (local.get $rows) (i32.shl (local.get $from) (i32.const 2)))) (i32.const 2)))
  ;; Parts the doubles a[lo, hi) around p: those below p first, then those equal, then those
  ;; above (binning.ts's split3, for the cut points). Returns where the equal and the larger begin.
  (func (export "split") (param $a i32) (param $lo i32) (param $hi i32) (param $p f64) (result i32 i32)
    (local $i i32) (local $end i32) (local $lt i32) (local $eq i32) (local $v f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $hi) (i32.const 3))))
    (local.set $lt (i32.add (local.get $a) (i32.shl (local.get $lo) (i32.const 3))))
    (local.set $i (local.get $lt))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (f64.load (local.get $i)))
        (f64.store (local.get $i) (f64.load (local.get $lt)))
        (f64.store (local.get $lt) (local.get $v))
        (local.set $lt (i32.add (local.get $lt) (i32.shl (f64.lt (local.get $v) (local.get $p)) (i32.const 3))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $each)))
    (local.set $eq (local.get $lt))
    (local.set $i (local.get $lt))
    (block $done2
      (loop $each2
        (br_if $done2 (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (f64.load (local.get $i)))
        (f64.store (local.get $i) (f64.load (local.get $eq)))
        (f64.store (local.get $eq) (local.get $v))
        (local.set $eq (i32.add (local.get $eq) (i32.shl (f64.le (local.get $v) (local.get $p)) (i32.const 3))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $each2)))
    (i32.shr_u (i32.sub (local.get $lt) (local.get $a)) (i32.const 3))
    (i32.shr_u (i32.sub (local.get $eq) (local.get $a)) (i32.const 3)))
  ;; Logistic loss gradients and hessians of rows[from, to) from their log-odds `raw` and 0/1
  ;; labels `y` (bytes): p = 1 / (1 + e^-raw), g = p - y, h = max(p (1 - p), 1e-16). The same
  ;; numbers as JavaScript's (its Math.exp is fdlibm's, as $exp below).
  (func (export "gradients") (param $rows i32) (param $from i32) (param $to i32) (param $raw i32) (param $y i32) (param $g i32) (param $h i32)
    (local $p i32) (local $stop i32) (local $i i32) (local $q f64)
    (local.set $p (i32.add (local.get $rows) (i32.shl (local.get $from) (i32.const 2))))
    (local.set $stop (i32.add (local.get $rows) (i32.shl (local.get $to) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $stop)))
        (local.set $i (i32.load (local.get $p)))
        (local.set $q (f64.div (f64.const 1)
          (f64.add (f64.const 1) (call $exp (f64.neg (f64.load (i32.add (local.get $raw) (i32.shl (local.get $i) (i32.const 3)))))))))
        (f64.store (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3)))
          (f64.sub (local.get $q) (f64.convert_i32_u (i32.load8_u (i32.add (local.get $y) (local.get $i))))))
        (f64.store (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 3)))
          (f64.max (f64.mul (local.get $q) (f64.sub (f64.const 1) (local.get $q))) (f64.const 1e-16)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $each))))

  ;; e^x exactly as fdlibm's e_exp.c computes it (V8's Math.exp is the same code, so the numbers
  ;; are JavaScript's bit for bit): x = k ln2 + r, |r| <= 0.5 ln2, e^r from a rational
  ;; approximation, scaled by 2^k.
  (func $exp (param $x f64) (result f64)
    (local $bits i64) (local $hx i32) (local $xsb i32) (local $k i32) (local $hi f64) (local $lo f64)
    (local $t f64) (local $c f64) (local $y f64) (local $twopk f64)
    (local.set $bits (i64.reinterpret_f64 (local.get $x)))
    (local.set $hx (i32.wrap_i64 (i64.shr_u (local.get $bits) (i64.const 32))))
    (local.set $xsb (i32.shr_u (local.get $hx) (i32.const 31)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    ;; |x| >= 709.78…: not finite, overflow or underflow.
    (if (i32.ge_u (local.get $hx) (i32.const 0x40862E42))
      (then
        (if (i32.ge_u (local.get $hx) (i32.const 0x7ff00000))
          (then
            (if (i32.ne (i32.or (i32.and (local.get $hx) (i32.const 0xfffff)) (i32.wrap_i64 (local.get $bits))) (i32.const 0))
              (then (return (f64.add (local.get $x) (local.get $x)))))
            (return (select (local.get $x) (f64.const 0) (i32.eqz (local.get $xsb))))))
        (if (f64.gt (local.get $x) (f64.const 7.09782712893383973096e+02)) (then (return (f64.const inf))))
        (if (f64.lt (local.get $x) (f64.const -7.45133219101941108420e+02)) (then (return (f64.const 0))))))
    ;; Argument reduction.
    (if (i32.gt_u (local.get $hx) (i32.const 0x3fd62e42))
      (then
        (if (i32.lt_u (local.get $hx) (i32.const 0x3FF0A2B2))
          (then
            (if (f64.eq (local.get $x) (f64.const 1)) (then (return (f64.const 2.718281828459045))))
            (local.set $hi (f64.sub (local.get $x) (select (f64.const -6.93147180369123816490e-01) (f64.const 6.93147180369123816490e-01) (local.get $xsb))))
            (local.set $lo (select (f64.const -1.90821492927058770002e-10) (f64.const 1.90821492927058770002e-10) (local.get $xsb)))
            (local.set $k (i32.sub (i32.sub (i32.const 1) (local.get $xsb)) (local.get $xsb))))
          (else
            (local.set $k (i32.trunc_f64_s (f64.add (f64.mul (f64.const 1.44269504088896338700e+00) (local.get $x))
              (select (f64.const -0.5) (f64.const 0.5) (local.get $xsb)))))
            (local.set $t (f64.convert_i32_s (local.get $k)))
            (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.const 6.93147180369123816490e-01))))
            (local.set $lo (f64.mul (local.get $t) (f64.const 1.90821492927058770002e-10)))))
        (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
      (else
        (if (i32.lt_u (local.get $hx) (i32.const 0x3e300000))
          (then (return (f64.add (f64.const 1) (local.get $x)))))))
    ;; x is now in the primary range.
    (local.set $t (f64.mul (local.get $x) (local.get $x)))
    (local.set $twopk (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
      (i32.add (i32.const 0x3ff00000) (i32.shl (select (local.get $k) (i32.add (local.get $k) (i32.const 1000)) (i32.ge_s (local.get $k) (i32.const -1021))) (i32.const 20))))
      (i64.const 32))))
    (local.set $c (f64.sub (local.get $x) (f64.mul (local.get $t)
      (f64.add (f64.const 1.66666666666666019037e-01) (f64.mul (local.get $t)
        (f64.add (f64.const -2.77777777770155933842e-03) (f64.mul (local.get $t)
          (f64.add (f64.const 6.61375632143793436117e-05) (f64.mul (local.get $t)
            (f64.add (f64.const -1.65339022054652515390e-06) (f64.mul (local.get $t) (f64.const 4.13813679705723846039e-08))))))))))))
    (if (i32.eqz (local.get $k))
      (then (return (f64.sub (f64.const 1) (f64.sub (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (local.get $c) (f64.const 2))) (local.get $x))))))
    (local.set $y (f64.sub (f64.const 1) (f64.sub (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (f64.const 2) (local.get $c)))) (local.get $hi))))
    (if (i32.ge_s (local.get $k) (i32.const -1021))
      (then
        (if (i32.eq (local.get $k) (i32.const 1024))
          (then (return (f64.mul (f64.mul (local.get $y) (f64.const 2)) (f64.const 8.988465674311579539e307)))))
        (return (f64.mul (local.get $y) (local.get $twopk)))))
    (f64.mul (f64.mul (local.get $y) (local.get $twopk)) (f64.const 9.33263618503218878990e-302)))

  ;; e^x for a test that it is JavaScript's Math.exp bit for bit.
  (func (export "exp") (param $x f64) (result f64) (call $exp (local.get $x)))
)
