#!/usr/bin/env bash
# One row of docs/demo.md's table: pretrain one configuration on the demo's synth3d data, then
# probe its checkpoint on synth3d class and landmarks exactly as the demo does (32 px).
# Usage: scripts/demo_experiment.sh NAME [pretrain flags...]   (run from the repository root)
# Writes out/exp/NAME/{model.safetensors,model.json,pretrain.log,class.json,landmarks.json}
# (cpu.txt: user and system CPU seconds of the pretraining, steadier than wall time on a
# shared machine) and appends one line to out/exp/summary.tsv. XTASK=path overrides the binary;
# SIZE=N pretrains at N px (default 32), PROBE=N probes at N px (default 32, the demo's),
# STEM=imagenet swaps the CIFAR stem for the 7x7/2 + max-pool one; WIDTH=W sets the width multiplier
# (default 0.25).
set -euo pipefail
name=$1; shift
xt=${XTASK:-target/release/xtask}
dir=out/exp/$name
mkdir -p "$dir"
load0=$(cut -d' ' -f1 /proc/loadavg)
t0=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$dir/cpu.txt" "$xt" pretrain --dataset synth3d --arch resnet18 --width-mult ${WIDTH:-0.25} --stem ${STEM:-cifar} \
  --image-size ${SIZE:-32} --name model --out "$dir" --quiet ${ROOT:+--root $ROOT} "$@" > "$dir/pretrain.log" 2>&1
t1=$(date +%s.%N)
load1=$(cut -d' ' -f1 /proc/loadavg)
for task in class landmarks; do
  "$xt" downstream --model "resnet18:$dir/model.safetensors" --dataset synth3d --task $task \
    --resize ${PROBE:-32} --crop ${PROBE:-32} ${ROOT:+--root $ROOT} --out "$dir/$task.json" > "$dir/$task.log" 2>&1
done
python3 - "$dir" "$name" "$t0" "$t1" "$load0" "$load1" "$*" <<'PY'
import json, sys
d, name, t0, t1, l0, l1, flags = sys.argv[1:]
meta = json.load(open(f"{d}/model.json"))
c = json.load(open(f"{d}/class.json")); lm = json.load(open(f"{d}/landmarks.json"))
ci = c.get("ci95") or {}
ips = [l for l in open(f"{d}/pretrain.log") if "img/s" in l]
ips = ips[-1].split("(")[-1].split(",")[-1].strip(" )\n") if ips else "-"
cpu = sum(float(x) for x in open(f"{d}/cpu.txt").read().split()[-2:])
row = [name, f"{float(t1)-float(t0):.0f}s", f"cpu {cpu:.0f}s", f"load {l0}-{l1}", ips,
       f"{meta.get('accuracy') or 0:.3f}", f"{c['test_score']:.3f}",
       f"[{ci.get('low',0):.3f},{ci.get('high',0):.3f}]", f"{lm['test_score']:.3f}", flags]
line = "\t".join(row)
print(line)
open("out/exp/summary.tsv", "a").write(line + "\n")
PY
