#!/usr/bin/env bash
# GPU check of the CUDA build, in one call on the GPU machine (about 5-8 minutes).
#
#   scripts/gpu/build.sh                      # here, without a GPU: -> gpu-bin/xtask
#   scripts/gpu/check.sh                      # there, from the repository root
#   (device tool: run command "scripts/gpu/check.sh", carry ["gpu-bin/xtask.gz", "gpu-bin/BUILD_INFO"], timeout ~590 s)
#
# Needs only gpu-bin/xtask and the machine's python3 with torch (whose CUDA 13 libraries
# cuBLAS/cuBLASLt/cuRAND/NVRTC/cudart the binary links against; libcuda comes from the driver).
# Steps, each time-limited; a failed step is reported and the rest still run:
#   libs        find the CUDA libraries, check `ldd` resolves everything
#   parity      `xtask features` random ResNet-50 on the same images, cpu vs cuda: rel L2
#               (fp32, candle's default: no TF32/reduced-precision GEMM) must be <= 1e-3
#   pretrain    MoCo v2 on synth3d (quick): step-0 loss cpu vs cuda, then mean loss of the
#               first 10 vs steps 51-60 of a 60-step run on cuda (must fall)
#   invariance  `invariance synthetic --transform rotation`, cpu vs cuda mean similarity
#   throughput  ResNet-50 224 px `xtask features` marginal images/s on cuda (PNG decode +
#               preprocessing included) vs the machine's torch forward pass (fp32/tf32/bf16)
# The summary table is printed last. Results also go to $OUT (or /tmp/gpu-check).
# CHECK_DEVICE=cpu runs the same plumbing on a CPU build (a dry run of this script only).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BIN="${XTASK_BIN:-$ROOT/gpu-bin/xtask}"
DEV="${CHECK_DEVICE:-cuda}"
# build.sh ships gpu-bin/xtask.gz (the plain binary is over the 64 MiB transfer limit).
if [ ! -x "$BIN" ] && [ -f "$BIN.gz" ]; then gzip -dc "$BIN.gz" >"/tmp/xtask-cuda" && chmod +x /tmp/xtask-cuda && BIN=/tmp/xtask-cuda; fi
OUTDIR="${OUT:-/tmp/gpu-check}"
W="$OUTDIR/work"
PY="python3 $ROOT/scripts/gpu/check_helpers.py"
RES="$OUTDIR/results.tsv"
# Sizes; the dry run on a CPU machine shrinks them.
N_PARITY="${N_PARITY:-32}" N_TP1="${N_TP1:-128}" N_TP2="${N_TP2:-640}" TP_BATCH="${TP_BATCH:-64}"
M50="random:resnet50:seed=0" PT_BATCH=128 STEPS=60
if [ "$DEV" = cpu ]; then N_PARITY=4 N_TP1=4 N_TP2=8 TP_BATCH=4 M50="random:resnet18:seed=0:width=0.25" PT_BATCH=8 STEPS=12; fi
mkdir -p "$W"
: >"$RES"
T0=$(date +%s)

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
# record <step> <PASS|FAIL|INFO> <result> <seconds>
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RES"; echo "== $1: $2 $3 ($4 s)"; }
run_x() { # run_x <limit s> <log> xtask args...
    local limit="$1" log="$2"
    shift 2
    timeout "$limit" "$BIN" "$@" >"$log" 2>&1
    local rc=$?
    [ $rc -eq 0 ] || { echo "-- xtask $* failed (rc $rc):"; tail -15 "$log"; }
    return $rc
}

# ---- libs ------------------------------------------------------------------------------------
t=$(now)
echo "== machine: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi')"
SITE="$(python3 -c 'import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))' 2>/dev/null)"
echo "== python3 torch: $(python3 -c 'import torch; print(torch.__version__, torch.version.cuda)' 2>&1 | tail -1) in ${SITE:-?}"
LIBDIRS=""
for lib in libcublas.so.13 libcublasLt.so.13 libcurand.so.10 libnvrtc.so.13 libcudart.so.13; do
    p="$(find ${SITE:+"$SITE"} /usr/local/cuda*/lib64 /usr/local/cuda*/targets/*/lib -name "$lib" 2>/dev/null | head -1)"
    [ -n "$p" ] && LIBDIRS="$LIBDIRS:$(dirname "$p")"
    echo "   $lib -> ${p:-NOT FOUND}"
done
if ! ldconfig -p 2>/dev/null | grep -q 'libcuda.so.1 '; then
    p="$(find /usr/lib* /usr/local/nvidia /usr/local/cuda*/compat -name libcuda.so.1 2>/dev/null | head -1)"
    [ -n "$p" ] && LIBDIRS="$LIBDIRS:$(dirname "$p")"
    echo "   libcuda.so.1 -> ${p:-NOT FOUND}"
fi
LIBDIRS="$(echo "${LIBDIRS#:}" | tr ':' '\n' | awk 'NF && !seen[$0]++' | paste -sd:)"
export LD_LIBRARY_PATH="${LIBDIRS}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "   LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
[ -f "$ROOT/gpu-bin/BUILD_INFO" ] && sed 's/^/   build: /' "$ROOT/gpu-bin/BUILD_INFO"
missing="$(ldd "$BIN" 2>&1 | grep 'not found' | awk '{print $1}' | paste -sd' ')"
# ldd -r also resolves every symbol, so a library of the wrong minor version shows up here.
undef="$(ldd -r "$BIN" 2>&1 | grep -c 'undefined symbol')"
[ "$undef" = 0 ] || { ldd -r "$BIN" 2>&1 | grep 'undefined symbol' | head -5; missing="$missing $undef undefined symbols"; }
if [ -z "$missing" ] && "$BIN" --help >/dev/null 2>&1; then
    record libs PASS "all shared libraries resolve" "$(secs "$t")"
else
    record libs FAIL "unresolved: ${missing:-xtask --help failed}" "$(secs "$t")"
fi

# ---- parity ----------------------------------------------------------------------------------
t=$(now)
$PY images "$W/img256" "$N_PARITY" 256 0
if run_x 300 "$W/feat_cpu.log" features --model "$M50" --images "$W/img256" --out "$W/feat_cpu.safetensors" --batch-size 16 --device cpu &&
    run_x 120 "$W/feat_dev.log" features --model "$M50" --images "$W/img256" --out "$W/feat_dev.safetensors" --batch-size 16 --device "$DEV"; then
    read -r rel rows cos < <($PY compare "$W/feat_cpu.safetensors" "$W/feat_dev.safetensors")
    verdict=$(awk -v r="$rel" 'BEGIN{print (r <= 1e-3) ? "PASS" : "FAIL"}')
    record "parity fp32 (${M50#random:}, $N_PARITY img)" "$verdict" "rel L2 $rel, worst row $rows, min cos $cos" "$(secs "$t")"
else
    record "parity fp32" FAIL "xtask features failed" "$(secs "$t")"
fi

# ---- pretrain --------------------------------------------------------------------------------
t=$(now)
PT=(pretrain --objective moco-v2 --dataset synth3d --synth3d quick --root "$W/synth3d" --arch resnet18
    --batch-size "$PT_BATCH" --queue-size 1024 --epochs 100 --seed 0 --quiet)
loss_of() { $PY json "$1" loss; }
if run_x 240 "$W/pt_cpu1.log" "${PT[@]}" --max-steps 1 --out "$W/pt_cpu1" --device cpu &&
    run_x 120 "$W/pt_dev1.log" "${PT[@]}" --max-steps 1 --out "$W/pt_dev1" --device "$DEV"; then
    l_cpu=$(loss_of "$W/pt_cpu1/model.json")
    l_dev=$(loss_of "$W/pt_dev1/model.json")
    verdict=$(awk -v a="$l_cpu" -v b="$l_dev" 'BEGIN{d=a-b; if(d<0)d=-d; print (d <= 1e-3*a) ? "PASS" : "FAIL"}')
    record "pretrain step-0 loss cpu vs $DEV" "$verdict" "$l_cpu vs $l_dev" "$(secs "$t")"
else
    record "pretrain step-0 loss" FAIL "xtask pretrain failed" "$(secs "$t")"
fi
t=$(now)
if run_x 120 "$W/pt_dev10.log" "${PT[@]}" --max-steps 10 --out "$W/pt_dev10" --device "$DEV" &&
    run_x 300 "$W/pt_devN.log" "${PT[@]}" --max-steps "$STEPS" --out "$W/pt_devN" --device "$DEV"; then
    first=$(loss_of "$W/pt_dev10/model.json")
    last=$(loss_of "$W/pt_devN/model.json")
    ips=$(sed -n 's/.*, \([0-9.]*\) img\/s).*/\1/p' "$W/pt_devN.log" | tail -1)
    verdict=$(awk -v a="$first" -v b="$last" 'BEGIN{print (b < a) ? "PASS" : "FAIL"}')
    record "pretrain moco-v2 r18 64px b$PT_BATCH $DEV" "$verdict" "mean loss steps 1-10 $first -> steps $((STEPS - 9))-$STEPS $last; ${ips:-?} img/s" "$(secs "$t")"
else
    record "pretrain moco-v2 $DEV" FAIL "xtask pretrain failed" "$(secs "$t")"
fi

# ---- invariance ------------------------------------------------------------------------------
t=$(now)
INV=(invariance synthetic --model random:resnet18:seed=0 --transform rotation --images "$W/img256" --k 5 --batch-size 16)
if run_x 240 "$W/inv_cpu.log" "${INV[@]}" --out "$W/inv_cpu.json" --device cpu &&
    run_x 120 "$W/inv_dev.log" "${INV[@]}" --out "$W/inv_dev.json" --device "$DEV"; then
    s_cpu=$($PY json "$W/inv_cpu.json" mean_similarity)
    s_dev=$($PY json "$W/inv_dev.json" mean_similarity)
    verdict=$(awk -v a="$s_cpu" -v b="$s_dev" 'BEGIN{d=a-b; if(d<0)d=-d; print (d <= 1e-3) ? "PASS" : "FAIL"}')
    record "invariance rotation k=5 r18" "$verdict" "mean whitened cos cpu $s_cpu vs $DEV $s_dev" "$(secs "$t")"
else
    record "invariance rotation" FAIL "xtask invariance failed" "$(secs "$t")"
fi

# ---- throughput ------------------------------------------------------------------------------
t=$(now)
$PY images "$W/img224" "$N_TP2" 224 1
ls "$W/img224"/*.png | head -"$N_TP1" >"$W/tp_small.txt"
ls "$W/img224"/*.png >"$W/tp_big.txt"
TP=(features --model "$M50" --resize 0 --crop 0 --batch-size "$TP_BATCH" --device "$DEV")
a=$(now)
ok=1
run_x 200 "$W/tp1.log" "${TP[@]}" --images "$W/tp_small.txt" --out "$W/tp1.safetensors" || ok=0
b=$(now)
run_x 300 "$W/tp2.log" "${TP[@]}" --images "$W/tp_big.txt" --out "$W/tp2.safetensors" || ok=0
c=$(now)
if [ $ok = 1 ]; then
    ips=$(awk -v a="$a" -v b="$b" -v c="$c" -v n1="$N_TP1" -v n2="$N_TP2" \
        'BEGIN{d=(c-b)-(b-a); printf "%.1f", (d > 0) ? (n2-n1)/d : 0}')
    whole=$(awk -v b="$b" -v c="$c" -v n="$N_TP2" 'BEGIN{printf "%.1f", n/(c-b)}')
    record "xtask ${M50#random:} 224 fp32 $DEV b$TP_BATCH" INFO "$ips img/s marginal ($whole img/s whole run incl. start-up), PNG decode included" "$(secs "$t")"
else
    record "xtask resnet50 throughput" FAIL "xtask features failed" "$(secs "$t")"
fi
t=$(now)
TDEV=cuda
[ "$DEV" = cpu ] && TDEV=cpu
if timeout 180 python3 "$ROOT/scripts/gpu/torch_throughput.py" --device "$TDEV" --batch "$TP_BATCH" \
    --iters $([ "$DEV" = cpu ] && echo 1 || echo 10) >"$W/torch.log" 2>&1; then
    grep '^#' "$W/torch.log"
    while read -r _ mode ips rel; do
        record "torch resnet50 224 $mode $TDEV b$TP_BATCH" INFO "$ips img/s forward only; rel L2 vs torch fp32 $rel" "$(secs "$t")"
    done < <(grep '^torch ' "$W/torch.log")
else
    tail -15 "$W/torch.log"
    record "torch throughput" FAIL "torch_throughput.py failed" "$(secs "$t")"
fi

# ---- table -----------------------------------------------------------------------------------
echo
echo "GPU check summary ($DEV, $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1), $(( $(date +%s) - T0 )) s total)"
awk -F'\t' '{printf "%-44s %-5s %6s s  %s\n", $1, $2, $4, $3}' "$RES"
! grep -q $'\tFAIL\t' "$RES"
