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
    (i32.shr_u (i32.sub (local.get $eq) (local.get $a)) (i32.const 3))))
