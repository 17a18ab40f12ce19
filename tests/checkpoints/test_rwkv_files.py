"""RWKV files: BlinkDL .pth against the ``rwkv`` package's runtime, Hugging Face RwkvForCausalLM
against ``transformers``, the native format, version detection, the World tokenizer."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints import native
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.checkpoints.rwkv_pth import detect_version
from rnnviz.checkpoints.rwkv_tokenizers import world_tokenizer
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.factory import build_engine
from rnnviz.engine.rwkv_params import RwkvParams, random_rwkv_params
from tests.checkpoints.rwkv_files import save_pth, save_vocab

HERE = Path(__file__).parent
IDS = [1, 4, 2, 7, 3, 12, 0]
HAS_RWKV = importlib.util.find_spec("rwkv") is not None


def logits_of(params: RwkvParams, ids: list[int]) -> np.ndarray:
    return np.stack([r.logits for r in build_engine(params).run(ids)])


def pip_logits(pth: Path, cell: str, ids: list[int], out: Path) -> np.ndarray:
    """The rwkv package's logits, in a child process (it reads RWKV_V7_ON at import)."""
    env = dict(os.environ, RWKV_JIT_ON="1", RWKV_CUDA_ON="0")
    env.pop("RWKV_V7_ON", None)
    if cell == "rwkv7":
        env["RWKV_V7_ON"] = "1"
    cmd = [sys.executable, str(HERE / "rwkv_pip_ref.py"), str(pth.with_suffix("")), str(out),
           *map(str, ids)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return np.load(out)


@pytest.mark.skipif(not HAS_RWKV, reason="the rwkv package (test reference) is not installed")
@pytest.mark.parametrize("cell", ["rwkv4", "rwkv7"])
def test_pth_logits_equal_the_rwkv_package(cell: str, tmp_path: Path) -> None:
    params = random_rwkv_params(cell, 13, 16, layers=2, head_size=8, seed=2)
    pth = save_pth(params, tmp_path / f"tiny-{cell}.pth")
    model = load_model(pth, VocabOptions(vocab_file=str(save_vocab(13, tmp_path / "v.txt"))))
    assert model.params.cell == cell and model.format == "rwkv-pth"
    ours = logits_of(model.params, IDS)  # type: ignore[arg-type]
    ref = pip_logits(pth, cell, IDS, tmp_path / "ref.npy")
    assert np.abs(ours - ref).max() < 1e-4
    assert np.abs(ref).max() > 0.1  # a real signal, not zeros on both sides


def test_bf16_pth_is_widened(tmp_path: Path) -> None:
    params = random_rwkv_params("rwkv7", 13, 16, layers=1, head_size=8, seed=4)
    pth = save_pth(params, tmp_path / "half.pth", torch.bfloat16)
    model = load_model(pth, VocabOptions(vocab_file=str(save_vocab(13, tmp_path / "v.txt"))))
    rounded = {k: torch.tensor(np.array(v)).to(torch.bfloat16).float().numpy()
               for k, v in params.arrays.items()}
    want = logits_of(RwkvParams("rwkv7", rounded), IDS)
    np.testing.assert_allclose(logits_of(model.params, IDS), want, atol=1e-5)  # type: ignore


def test_version_detection_refuses_v5_and_v6() -> None:
    assert detect_version({"blocks.0.att.time_first", "emb.weight"}) == "rwkv4"
    assert detect_version({"blocks.0.att.r_k", "blocks.0.att.ln_x.weight"}) == "rwkv7"
    with pytest.raises(CheckpointError, match="RWKV-5 or RWKV-6"):
        detect_version({"blocks.0.att.time_first", "blocks.0.att.ln_x.weight"})
    with pytest.raises(CheckpointError, match="RWKV-6"):
        detect_version({"blocks.0.att.time_maa_x", "blocks.0.att.time_faaaa"})


def test_pth_without_vocabulary_asks_for_one(tmp_path: Path) -> None:
    pth = save_pth(random_rwkv_params("rwkv4", 13, 8), tmp_path / "m.pth")
    with pytest.raises(CheckpointError, match="has no vocabulary"):
        load_model(pth)


@pytest.mark.parametrize("cell", ["rwkv4", "rwkv7"])
def test_native_round_trip_is_memory_mapped(cell: str, tmp_path: Path) -> None:
    params = random_rwkv_params(cell, 13, 16, layers=2, head_size=8, seed=5)
    vocab = Vocab(tuple(f"w{i}" for i in range(13)))
    native.save(tmp_path / "m.safetensors", params, vocab, "word", {"name": "tiny"})
    header = json.loads((tmp_path / "m.safetensors").read_bytes()[8:].split(b"}}", 1)[0] + b"}}")
    assert f"blocks.0.att.{'r_k' if cell == 'rwkv7' else 'time_first'}" in header
    back = load_model(tmp_path / "m.safetensors")
    assert back.params.cell == cell and back.vocab == vocab
    assert isinstance(back.params.arrays["blocks.0.att.key.weight"].base, np.memmap)  # type: ignore
    np.testing.assert_array_equal(logits_of(back.params, IDS), logits_of(params, IDS))  # type: ignore


def test_convert_writes_the_native_format(tmp_path: Path) -> None:
    from rnnviz.cli import main

    params = random_rwkv_params("rwkv4", 13, 8, seed=6)
    pth = save_pth(params, tmp_path / "m.pth")
    out = tmp_path / "m.safetensors"
    assert main(["convert", str(pth), str(out), "--vocab",
                 str(save_vocab(13, tmp_path / "v.txt"))]) == 0
    assert native.read_meta(out)["cell"] == "rwkv4"
    np.testing.assert_array_equal(logits_of(load_model(out).params, IDS),  # type: ignore
                                  logits_of(params, IDS))


@pytest.mark.skipif(not HAS_RWKV, reason="the rwkv package (its World vocabulary and trie "
                                         "tokenizer are the reference) is not installed")
def test_world_tokenizer_equals_the_reference_trie() -> None:
    from rwkv.rwkv_tokenizer import TRIE_TOKENIZER

    vocab_file = Path(importlib.util.find_spec("rwkv").origin).parent / "rwkv_vocab_v20230424.txt"
    ref = TRIE_TOKENIZER(str(vocab_file))
    ours = world_tokenizer(vocab_file, 65536)
    text = "In a shocking finding, 科学家 discovered a herd of dragons.\n\nUser: 你好 🐉 ok"
    tokens = ours.encode(text)
    assert [t.id for t in tokens] == ref.encode(text)
    assert len(ours.vocab) == 65536 and len(set(ours.vocab.tokens)) == 65536


def test_hf_rwkv_logits_equal_transformers(tmp_path: Path) -> None:
    transformers = pytest.importorskip("transformers", reason="transformers (test reference) "
                                                              "is not installed")
    cfg = transformers.RwkvConfig(vocab_size=17, context_length=32, hidden_size=16,
                                  num_hidden_layers=2, intermediate_size=64,
                                  attention_hidden_size=16, rescale_every=0)
    torch.manual_seed(0)
    hf = transformers.RwkvForCausalLM(cfg).eval()
    with torch.no_grad():
        for p in hf.parameters():
            p.add_(torch.randn_like(p) * 0.2)
        want = hf(torch.tensor([IDS])).logits[0].numpy()
    hf.save_pretrained(tmp_path / "hf", safe_serialization=True)
    vocab = str(save_vocab(17, tmp_path / "v.txt"))
    for path in (tmp_path / "hf", tmp_path / "hf" / "model.safetensors"):
        model = load_model(path, VocabOptions(vocab_file=vocab))
        assert model.format == "rwkv-hf" and model.params.cell == "rwkv4"
        got = logits_of(model.params, IDS)  # type: ignore[arg-type]
        assert np.abs(got - want).max() / np.abs(want).max() < 1e-5


def test_bad_rwkv_files_give_one_line_errors(tmp_path: Path) -> None:
    params = random_rwkv_params("rwkv4", 13, 8, seed=8)
    sd = {k: v for k, v in params.arrays.items() if k != "blocks.0.att.time_decay"}
    torch.save({k: torch.tensor(np.array(v)) for k, v in sd.items()}, tmp_path / "missing.pth")
    with pytest.raises(CheckpointError, match=r"missing tensor.*time_decay") as e:
        load_model(tmp_path / "missing.pth", VocabOptions(vocab_corpus=()))
    assert "\n" not in str(e.value)
    good = save_pth(params, tmp_path / "good.pth").read_bytes()
    (tmp_path / "cut.pth").write_bytes(good[: len(good) // 2])
    with pytest.raises(CheckpointError) as e:
        load_model(tmp_path / "cut.pth")
    assert "\n" not in str(e.value)


@pytest.mark.skipif(not HAS_RWKV, reason="the rwkv package (source of the World vocabulary "
                                         "file) is not installed")
def test_world_vocabulary_travels_into_the_native_file(tmp_path: Path) -> None:
    from rnnviz.cli import main

    vocab_file = Path(importlib.util.find_spec("rwkv").origin).parent / "rwkv_vocab_v20230424.txt"
    params = random_rwkv_params("rwkv7", 65536, 8, layers=1, head_size=4, seed=9)
    pth = save_pth(params, tmp_path / "w.pth")
    out = tmp_path / "w.safetensors"
    assert main(["convert", str(pth), str(out), "--vocab", str(vocab_file)]) == 0
    text = "Hello, 世界! RWKV"
    want = [t.id for t in world_tokenizer(vocab_file, 65536).encode(text)]
    assert [t.id for t in load_model(out).tokenize(text)] == want
    assert [t.id for t in load_model(pth, VocabOptions(vocab_file=str(vocab_file)))
            .tokenize(text)] == want
