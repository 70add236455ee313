;; Histogram building for boosting (boost-threads.ts), compiled to histogram.wasm by
;; scripts/build-wasm.ts. It runs over the fit's shared memory: several threads call it at once,
;; each on its own features. Layout as in histogram.ts: a bin is 4 doubles (gradient sum,
;; hessian sum, row count, unused) = 32 bytes, a feature 256 bins; bins are row-major bytes.
;; Twice the speed of the same loop in JavaScript (no bounds checks, no tagged numbers).
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Adds rows[start, end) into the histograms at `hist` (feature f's at hist + f * 8192 bytes) of
  ;; the features `features[0, count)` (i32 each); or, when `count` is 0, of every feature from
  ;; `lo` to `hi` - 1. Row by row, the features at once: consecutive additions go to different
  ;; histograms, so none waits for the one before.
  (func (export "build")
    (param $rows i32) (param $start i32) (param $end i32) (param $bins i32) (param $nFeatures i32)
    (param $g i32) (param $h i32) (param $hist i32)
    (param $features i32) (param $count i32) (param $lo i32) (param $hi i32)
    (local $k i32) (local $i i32) (local $gi f64) (local $hi2 f64) (local $r i32)
    (local $j i32) (local $f i32) (local $b i32)
    (local $i2 i32) (local $g2 f64) (local $h2 f64) (local $r2 i32) (local $b2 i32)
    (local.set $k (local.get $start))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_s (local.get $k) (local.get $end)))
        (local.set $i (i32.load (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $gi (f64.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $hi2 (f64.load (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $r (i32.add (local.get $bins) (i32.mul (local.get $i) (local.get $nFeatures))))
        ;; A run of features and a next row: both rows at once, each feature's bins in row order
        ;; (the same sums; two rows' additions interleave and wait on each other less).
        (if (i32.and (i32.eqz (local.get $count)) (i32.lt_s (i32.add (local.get $k) (i32.const 1)) (local.get $end)))
          (then
            (local.set $i2 (i32.load (i32.add (local.get $rows) (i32.shl (i32.add (local.get $k) (i32.const 1)) (i32.const 2)))))
            (local.set $g2 (f64.load (i32.add (local.get $g) (i32.shl (local.get $i2) (i32.const 3)))))
            (local.set $h2 (f64.load (i32.add (local.get $h) (i32.shl (local.get $i2) (i32.const 3)))))
            (local.set $r2 (i32.add (local.get $bins) (i32.mul (local.get $i2) (local.get $nFeatures))))
            (local.set $f (local.get $lo))
            (block $pairDone
              (loop $eachOfPair
                (br_if $pairDone (i32.ge_s (local.get $f) (local.get $hi)))
                (local.set $b (i32.add (local.get $hist)
                  (i32.shl (i32.add (i32.shl (local.get $f) (i32.const 8)) (i32.load8_u (i32.add (local.get $r) (local.get $f)))) (i32.const 5))))
                (local.set $b2 (i32.add (local.get $hist)
                  (i32.shl (i32.add (i32.shl (local.get $f) (i32.const 8)) (i32.load8_u (i32.add (local.get $r2) (local.get $f)))) (i32.const 5))))
                (f64.store offset=0 (local.get $b) (f64.add (f64.load offset=0 (local.get $b)) (local.get $gi)))
                (f64.store offset=8 (local.get $b) (f64.add (f64.load offset=8 (local.get $b)) (local.get $hi2)))
                (f64.store offset=16 (local.get $b) (f64.add (f64.load offset=16 (local.get $b)) (f64.const 1)))
                (f64.store offset=0 (local.get $b2) (f64.add (f64.load offset=0 (local.get $b2)) (local.get $g2)))
                (f64.store offset=8 (local.get $b2) (f64.add (f64.load offset=8 (local.get $b2)) (local.get $h2)))
                (f64.store offset=16 (local.get $b2) (f64.add (f64.load offset=16 (local.get $b2)) (f64.const 1)))
                (local.set $f (i32.add (local.get $f) (i32.const 1)))
                (br $eachOfPair)))
            (local.set $k (i32.add (local.get $k) (i32.const 2)))
            (br $eachRow)))
        (if (i32.eqz (local.get $count))
          (then
            (local.set $f (local.get $lo))
            (block $runDone
              (loop $eachOfRun
                (br_if $runDone (i32.ge_s (local.get $f) (local.get $hi)))
                ;; b = hist + ((f << 8) + bin) * 32
                (local.set $b (i32.add (local.get $hist)
                  (i32.shl (i32.add (i32.shl (local.get $f) (i32.const 8)) (i32.load8_u (i32.add (local.get $r) (local.get $f)))) (i32.const 5))))
                (f64.store offset=0 (local.get $b) (f64.add (f64.load offset=0 (local.get $b)) (local.get $gi)))
                (f64.store offset=8 (local.get $b) (f64.add (f64.load offset=8 (local.get $b)) (local.get $hi2)))
                (f64.store offset=16 (local.get $b) (f64.add (f64.load offset=16 (local.get $b)) (f64.const 1)))
                (local.set $f (i32.add (local.get $f) (i32.const 1)))
                (br $eachOfRun))))
          (else
            (local.set $j (i32.const 0))
            (block $listDone
              (loop $eachOfList
                (br_if $listDone (i32.ge_s (local.get $j) (local.get $count)))
                (local.set $f (i32.load (i32.add (local.get $features) (i32.shl (local.get $j) (i32.const 2)))))
                (local.set $b (i32.add (local.get $hist)
                  (i32.shl (i32.add (i32.shl (local.get $f) (i32.const 8)) (i32.load8_u (i32.add (local.get $r) (local.get $f)))) (i32.const 5))))
                (f64.store offset=0 (local.get $b) (f64.add (f64.load offset=0 (local.get $b)) (local.get $gi)))
                (f64.store offset=8 (local.get $b) (f64.add (f64.load offset=8 (local.get $b)) (local.get $hi2)))
                (f64.store offset=16 (local.get $b) (f64.add (f64.load offset=16 (local.get $b)) (f64.const 1)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $eachOfList)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $eachRow)))))
