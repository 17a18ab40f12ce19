"""``rnnviz train`` flags for CBOW and classifiers: refusals, and the stored command."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from rnnviz.cli import build_parser, main
from rnnviz.cli.common import UsageError
from rnnviz.cli.train import command_line, config_from_args

BASE = ["train", "--data", "d", "--out", "m.safetensors"]


def _cfg(*flags: str):  # type: ignore[no-untyped-def]
    return config_from_args(build_parser().parse_args([*BASE, *flags]))


@pytest.mark.parametrize(("flags", "message"), [
    (["--cell", "cbow"], "--cell cbow needs --window N"),
    (["--window", "3"], "--window is for --cell cbow only"),
    (["--cell", "cbow", "--window", "11"], "--window must be 2 to 10 words"),
    (["--cell", "cbow", "--window", "1"], "--window must be 2 to 10 words"),
    (["--bidirectional"], "--bidirectional and --pool are for --task classify"),
    (["--pool", "final-states"], "--bidirectional and --pool are for --task classify"),
    (["--task", "classify", "--cell", "rwkv4"], "--task classify trains an RNN, LSTM or GRU"),
    (["--task", "classify", "--cell", "cbow", "--window", "3"], "trains an RNN, LSTM or GRU"),
    (["--task", "classify", "--reverse"], "no --reverse"),
    (["--task", "classify", "--tied"], "no --reverse, --tied or --tokenizer"),
])
def test_refused_combinations(flags: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _cfg(*flags)


def test_the_stored_command_reproduces_the_new_flags() -> None:
    cfg = _cfg("--task", "classify", "--cell", "gru", "--bidirectional", "--pool",
               "final-states", "--layers", "1")
    assert (cfg.task, cfg.bidirectional, cfg.pool) == ("classify", True, "final-states")
    words = shlex.split(command_line(cfg))
    again = _cfg(*words[words.index("--data") + 4:])  # every flag after --data d --out m
    assert again.hyper() == cfg.hyper()
    cbow = _cfg("--cell", "cbow", "--window", "4")
    assert (cbow.window, cbow.layers, cbow.task, cbow.pool) == (4, 1, None, None)
    assert "--window 4" in command_line(cbow)
    plain = _cfg()
    assert (plain.task, plain.pool, plain.window) == (None, None, None)
    assert _cfg("--task", "classify").pool == "last-output"


def test_a_bad_classifier_data_directory_is_a_one_line_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "train.txt").write_text("pos\ta b\nneg b a\n", "utf-8")
    (tmp_path / "valid.txt").write_text("pos\ta\n", "utf-8")
    code = main(["train", "--task", "classify", "--data", str(tmp_path), "--out",
                 str(tmp_path / "m.safetensors"), "--run-dir", str(tmp_path / "run")])
    err = capsys.readouterr().err.strip()
    assert code != 0 and "train.txt:2: expected 'label<TAB>sentence'" in err
    assert len(err.splitlines()) == 1
