#!/usr/bin/env bash
# Reproduce the bundled models in resources/models/ (CPU; resumable: rerun to continue).
#   scripts/train_bundled.sh [ptb-lstm] [ptb-rnn] [ptb-gru] [shakespeare-char-lstm] [ptb-rwkv]
#                            [ptb-lstm-backward] [ptb-cbow] [ptb-order-bigru] [ptb-order-gru]
#                            (default: all)
# On 2 cores, two lanes in parallel use the machine best:
#   scripts/train_bundled.sh ptb-lstm shakespeare-char-lstm &  scripts/train_bundled.sh ptb-rnn ptb-gru
# Data: $RNNVIZ_DATA (default ../shared/data) holding ptb/ and tinyshakespeare/input.txt.
# Checkpoints and logs go to runs/<name>/ and runs/<name>.log; the best model so far is written
# to resources/models/<name>.safetensors after every epoch that improves validation.
{
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${RNNVIZ_DATA:-../shared/data}
PY=${PYTHON:-.venv/bin/python}
THREADS=${THREADS:-1}  # one thread per run: robust on a shared CPU; run two lanes in parallel
OUT=resources/models

train() {  # name, then rnnviz train flags
    local name=$1; shift
    mkdir -p runs
    echo "== $name: $(date -u +%FT%TZ)" >>"runs/$name.log"
    "$PY" -m rnnviz train --name "$name" --out "$OUT/$name.safetensors" --threads "$THREADS" \
        --seed 1111 "$@" 2>>"runs/$name.log" | tee -a "runs/$name.log"
}

order_task() {  # the word-order task's data (not committed): runs/ptb-order/{train,valid,test}.txt
    [ -f runs/ptb-order/test.txt ] ||
        "$PY" scripts/make_order_task.py --ptb "$DATA/ptb" --out runs/ptb-order --seed 0
}

run_one() {
    case $1 in
    ptb-lstm)  # lr 20 for epochs 1-4, 10 for 5-6, then halved every epoch
        local lstm=(--data "$DATA/ptb" --cell lstm --layers 2 --hidden 200 --tied --dropout 0.3
                    --optimizer sgd --lr 20 --clip 0.25 --batch 20 --bptt 35 --anneal 2
                    --plateau 0.01)
        train ptb-lstm "${lstm[@]}" --epochs 4 --decay-after 4
        train ptb-lstm "${lstm[@]}" --epochs 10 --decay-after 6 ;;
    ptb-lstm-backward)  # ptb-lstm's settings, each line's words reversed; 6 epochs, resumed to 10
        local back=(--data "$DATA/ptb" --cell lstm --layers 2 --hidden 200 --tied --dropout 0.3
                    --optimizer sgd --lr 20 --clip 0.25 --batch 20 --bptt 35 --anneal 2
                    --plateau 0.01 --decay-after 4 --reverse)
        train ptb-lstm-backward "${back[@]}" --epochs 6
        train ptb-lstm-backward "${back[@]}" --epochs 10 ;;
    ptb-rnn)
        train ptb-rnn --data "$DATA/ptb" --cell rnn_tanh --layers 1 --hidden 256 --tied \
            --dropout 0.2 --optimizer adam --lr 0.002 --clip 0.25 --batch 20 --bptt 35 \
            --epochs 6 --anneal 2 --plateau 0.01 --decay-after 3 ;;
    ptb-gru)
        train ptb-gru --data "$DATA/ptb" --cell gru --layers 2 --hidden 200 --tied \
            --dropout 0.3 --optimizer adam --lr 0.002 --clip 0.25 --batch 20 --bptt 35 \
            --epochs 12 --anneal 2 --plateau 0.01 --decay-after 8 ;;
    shakespeare-char-lstm)
        train shakespeare-char-lstm --data "$DATA/tinyshakespeare/input.txt" --tokenizer char \
            --cell lstm --layers 2 --hidden 384 --embedding 64 --dropout 0.25 --optimizer adam \
            --lr 0.002 --clip 5 --batch 32 --bptt 100 --epochs 10 --anneal 2 --plateau 0.005 \
            --decay-after 6 ;;
    ptb-rwkv)  # RWKV-4, trained time-parallel; lr halved after every epoch
        train ptb-rwkv --data "$DATA/ptb" --cell rwkv4 --layers 2 --hidden 192 --tied \
            --dropout 0.25 --optimizer adam --lr 0.002 --clip 1.0 --batch 20 --bptt 35 \
            --epochs 4 --anneal 2 --plateau 0.01 --decay-after 1 ;;
    ptb-cbow)  # the order-blind baseline: the mean of the last 5 embeddings, decoded (untied:
               # tied, a word's own embedding pulls the prediction towards repeating it)
        train ptb-cbow --data "$DATA/ptb" --cell cbow --window 5 --hidden 128 \
            --dropout 0.1 --optimizer adam --lr 0.002 --clip 0.25 --batch 20 --bptt 35 \
            --epochs 4 --anneal 2 --plateau 0.01 --decay-after 3 ;;
    ptb-order-bigru)  # real or shuffled word order? (scripts/make_order_task.py, seed 0)
        order_task
        train ptb-order-bigru --task classify --data runs/ptb-order --cell gru --layers 1 \
            --hidden 128 --embedding 128 --bidirectional --pool final-states --dropout 0.2 \
            --optimizer adam --lr 0.002 --clip 1.0 --batch 64 --epochs 6 --anneal 2 \
            --plateau 0.005 ;;
    ptb-order-gru)  # the same task and size, one direction (last output = final state)
        order_task
        train ptb-order-gru --task classify --data runs/ptb-order --cell gru --layers 1 \
            --hidden 128 --embedding 128 --pool last-output --dropout 0.2 \
            --optimizer adam --lr 0.002 --clip 1.0 --batch 64 --epochs 6 --anneal 2 \
            --plateau 0.005 ;;
    *) echo "unknown model $1" >&2; exit 2 ;;
    esac
}

if [ $# -eq 0 ]; then
    set -- ptb-lstm ptb-rnn ptb-gru shakespeare-char-lstm ptb-rwkv ptb-lstm-backward ptb-cbow ptb-order-bigru \
        ptb-order-gru
fi
for name in "$@"; do run_one "$name"; done
exit 0
}
