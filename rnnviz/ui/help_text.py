"""The help panel's text in English and Japanese (terms follow 'Deep Learning from Scratch 2':
隠れ状態, 勾配, 語彙, 時系列, 逆伝播)."""

from __future__ import annotations

VIEWS_EN = """
<h3>The views</h3>
<p><b>Hidden state.</b> One heatmap per layer: a row per unit, a column per token read so far;
the outlined column is the current token. Blue is negative, red positive (h, c and the GRU's n);
the gates (sigmoid, 0..1) use white-to-purple, so white means closed. With several models, one
column per model.</p>
<p><b>Next-word prediction.</b> The model's most likely next tokens after the current one. The
traced word (the true next word, or the one you chose) is orange, with its rank and probability
even when it is outside the top k. Click a bar to trace that word's loss.</p>
<p><b>Gradient flow back in time.</b> For the loss l_t at the current step, the norm of its
gradient with respect to every earlier state, on a log scale: how much the prediction still
depends on each earlier token. A curve that falls steeply to the left is the vanishing gradient.
The T x T matrix shows every step's curve as a row. With several models, <i>All models, one
axis</i> overlays them against the distance d = t - s.</p>
<p><b>Tokens.</b> Click a chip to jump there. <i>Colour by saliency</i> tints each earlier
token by ||d l_t / d e_s||.</p>
<p><b>Memory</b> (tab). Over the first N tokens of a corpus, the median over positions t of
||d l_t / d x_(t-d)|| against the distance d, with the band of the middle 50% of positions, for
every open model on one log axis: solid h, dashed LSTM c, dotted input embedding. The table's
<i>span</i> is the largest d whose median is still at least 1% of its value at d = 0. The
default corpus is text sampled from ptb-lstm; <i>Corpus…</i> reads any text file as
<code>rnnviz eval</code> does.</p>
<p><b>Why it vanishes</b> (tab). The spectral norm of each step's Jacobian d s_t / d s_(t-1)
(s = h, or (h, c) for the LSTM), the LSTM's forget gates and their running product since a chosen
step, and at the cursor the top layer's gradient beside the bound the step norms put on it.</p>
"""

NOTATION_EN = """
<h3>Notation</h3>
<ul>
<li>x_t: the layer's input at step t (the word embedding e_t in layer 1, the hidden state of
the layer below otherwise); h_t: hidden state; c_t: LSTM cell state.</li>
<li>Gates: LSTM i (input), f (forget), g (candidate), o (output); GRU r (reset), z (update),
n (candidate).</li>
<li>l_t = −log p(w_(t+1) | w_0..w_t): the loss at step t, of the traced word.</li>
<li>||d l_t / d h_s||: the gradient norm of l_t with respect to the hidden state at an earlier
step s ≤ t (exact BPTT).</li>
<li>Truncated BPTT with K: the text is cut into blocks of K steps and the gradient of l_t stops
at the start of its block; the shaded steps are what it cuts off.</li>
<li>Saliency: ||d l_t / d e_s||, how much the loss depends on the embedding of token s.</li>
<li>Why it vanishes: d l_t / d h_s is a product of t − s step Jacobians d h_k / d h_(k−1); its
norm is at most the product of their norms, so norms below 1 shrink it exponentially. Norms above
1 do not stop it from vanishing: the bound is then loose (see <i>Why it vanishes</i>). The LSTM's
cell state adds a path through the forget gates alone (d c_k / d c_(k−1) = diag(f_k)).</li>
</ul>
"""

EQUATIONS_EN = """
<h3>The cells, in both conventions</h3>
<p><b>PyTorch</b> (column vectors, what rnnviz computes; one bias per matrix):</p>
<pre>
RNN   h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)
LSTM  i, f, g, o = σ, σ, tanh, σ of  W_ih x_t + b_ih + W_hh h_(t-1) + b_hh   (order i, f, g, o)
      c_t = f ⊙ c_(t-1) + i ⊙ g
      h_t = o ⊙ tanh(c_t)
GRU   r = σ(W_ir x_t + b_ir + W_hr h_(t-1) + b_hr)
      z = σ(W_iz x_t + b_iz + W_hz h_(t-1) + b_hz)
      n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_(t-1) + b_hn))
      h_t = (1 − z) ⊙ n + z ⊙ h_(t-1)
</pre>
<p><b>The book</b> ('Deep Learning from Scratch 2', row vectors, one bias):</p>
<pre>
RNN   h_t = tanh(h_(t-1) · W_h + x_t · W_x + b)
LSTM  A = x_t · W_x + h_(t-1) · W_h + b, split in the order f, g, i, o
      c_t = f ⊙ c_(t-1) + g ⊙ i,   h_t = o ⊙ tanh(c_t)
GRU   z = σ(x_t · W_xz + h_(t-1) · W_hz + b_z),  r = σ(x_t · W_xr + h_(t-1) · W_hr + b_r)
      h~ = tanh(x_t · W_x + (r ⊙ h_(t-1)) · W_h + b)
      h_t = (1 − z) ⊙ h_(t-1) + z ⊙ h~
</pre>
<p>W_x of the book is W_ih transposed. The book's pickles are read by reordering its gate blocks
f, g, i, o into i, f, g, o. <b>The GRU's z means the opposite</b>: in PyTorch (and in rnnviz's
views) z near 1 keeps the old state, in the book z near 1 takes the new one. The reset gate also
sits differently: PyTorch multiplies r after the matrix product, the book before it.</p>
"""

VIEWS_JA = """
<h3>各ビュー</h3>
<p><b>隠れ状態</b>：層ごとのヒートマップ。行がユニット、列がこれまでに読んだトークンで、枠で囲んだ
列が現在のトークンです。青は負、赤は正（h、c、GRU の n）。ゲート（シグモイド、0〜1）は白から紫で
表し、白は「閉じている」を意味します。複数のモデルを比較するときはモデルごとに列が並びます。</p>
<p><b>次の単語の予測</b>：現在のトークンの次に来る確率が高いトークン。追跡している単語（正解の次の
単語、または選んだ単語）はオレンジで、上位 k の外でも順位と確率を表示します。棒をクリックすると、その
単語の損失を追跡します。</p>
<p><b>時間をさかのぼる勾配</b>：現在のステップの損失 l_t の、過去の各状態に対する勾配のノルム（対数
目盛）。予測が過去の各トークンにどれだけ依存しているかを表します。左へ急に落ちる曲線が勾配消失です。
T x T 行列は各ステップの曲線を行として並べたものです。複数モデルでは「全モデルを一つの軸に」が距離
d = t − s に対して重ねて表示します。</p>
<p><b>トークン</b>：チップをクリックするとそこへ移動します。「顕著性で色付け」は過去の各トークンを
||d l_t / d e_s|| で色付けします。</p>
<p><b>メモリ</b>（タブ）：コーパスの先頭 N トークンについて、||d l_t / d x_(t-d)|| の位置 t に
わたる中央値を距離 d に対して描きます（帯は中央 50% の位置）。開いているすべてのモデルを一つの対数軸に
重ね、実線が h、破線が LSTM の c、点線が入力の埋め込みです。表の「記憶の長さ」は、中央値が d = 0 の値の 1%
以上である最大の d です。既定のコーパスは ptb-lstm から生成した文章で、「コーパス…」で任意のテキスト
ファイルを <code>rnnviz eval</code> と同じ方法で読み込めます。</p>
<p><b>勾配が消える理由</b>（タブ）：各ステップのヤコビアン d s_t / d s_(t-1)（s = h、LSTM では
(h, c)）のスペクトルノルム、LSTM の忘却ゲートと選んだステップからのその積、そしてカーソル位置での
最上層の勾配と、ステップのノルムの積が与える上界を並べて示します。</p>
"""

NOTATION_JA = """
<h3>記号</h3>
<ul>
<li>x_t：ステップ t の層への入力（第 1 層では単語の埋め込み e_t、それ以外は下の層の隠れ状態）、
h_t：隠れ状態、c_t：LSTM の記憶セル。</li>
<li>ゲート：LSTM の i（入力）、f（忘却）、g（新しい記憶）、o（出力）。GRU の r（リセット）、
z（更新）、n（候補）。</li>
<li>l_t = −log p(w_(t+1) | w_0..w_t)：追跡する単語のステップ t での損失。</li>
<li>||d l_t / d h_s||：l_t の、過去のステップ s ≤ t の隠れ状態に対する勾配のノルム（厳密な
BPTT）。</li>
<li>Truncated BPTT（K）：系列を K ステップのブロックに区切り、l_t の勾配はそのブロックの先頭で
止まります。網掛けのステップが切り捨てられる部分です。</li>
<li>顕著性：||d l_t / d e_s||、損失がトークン s の埋め込みにどれだけ依存するか。</li>
<li>勾配が消える理由：d l_t / d h_s は t − s 個のステップのヤコビアン d h_k / d h_(k−1) の
積で、そのノルムは各ノルムの積以下です。ノルムが 1 未満なら指数的に小さくなります。LSTM の記憶
セルには忘却ゲートだけを通る経路（d c_k / d c_(k−1) = diag(f_k)）があります。</li>
</ul>
"""

EQUATIONS_JA = """
<h3>各セルの式（二つの書き方）</h3>
<p><b>PyTorch</b>（列ベクトル、rnnviz が計算する形。行列ごとにバイアス）：</p>
<pre>
RNN   h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)
LSTM  i, f, g, o = σ, σ, tanh, σ（W_ih x_t + b_ih + W_hh h_(t-1) + b_hh、順序 i, f, g, o）
      c_t = f ⊙ c_(t-1) + i ⊙ g
      h_t = o ⊙ tanh(c_t)
GRU   r = σ(W_ir x_t + b_ir + W_hr h_(t-1) + b_hr)
      z = σ(W_iz x_t + b_iz + W_hz h_(t-1) + b_hz)
      n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_(t-1) + b_hn))
      h_t = (1 − z) ⊙ n + z ⊙ h_(t-1)
</pre>
<p><b>書籍</b>（『ゼロから作る Deep Learning ❷』、行ベクトル、バイアス一つ）：</p>
<pre>
RNN   h_t = tanh(h_(t-1) · W_h + x_t · W_x + b)
LSTM  A = x_t · W_x + h_(t-1) · W_h + b を f, g, i, o の順に分割
      c_t = f ⊙ c_(t-1) + g ⊙ i,   h_t = o ⊙ tanh(c_t)
GRU   z = σ(x_t · W_xz + h_(t-1) · W_hz + b_z),  r = σ(x_t · W_xr + h_(t-1) · W_hr + b_r)
      h~ = tanh(x_t · W_x + (r ⊙ h_(t-1)) · W_h + b)
      h_t = (1 − z) ⊙ h_(t-1) + z ⊙ h~
</pre>
<p>書籍の W_x は W_ih の転置です。書籍の pickle はゲートのブロックを f, g, i, o から i, f, g, o に
並べ替えて読み込みます。<b>GRU の z は意味が逆です</b>：PyTorch（と rnnviz の表示）では z が 1 に
近いと古い状態を保ち、書籍では z が 1 に近いと新しい状態を採ります。リセットゲートの位置も異なり、
PyTorch は行列積の後、書籍は前で r を掛けます。</p>
"""

SYSTEMS_EN = """
<h3>Other systems</h3>
<p><b>Backward language models</b> read the text from the last word to the first and predict
the previous word. Their chips, heatmap columns and gradient axes run right to left, so beside a
forward model the two stand word under word: at word i the forward model has read 0..i, the
backward one the last word back to i (ELMo's biLM puts these two states together).
<i>Continue</i> with a backward lead model writes what comes before the text.</p>
<p><b>CBOW</b> predicts the next word from the average of the last N embeddings: its heatmap is
that average, its gradient reaches exactly N input steps, and it cannot tell the order of the
words inside its window. Right-click a word, <i>Swap with</i>, to see that its bars do not
change when two words in the window trade places, while an RNN's do.</p>
<p><b>Bidirectional nets</b> have a forward (→) and a reverse (←) RNN in each layer: every step's
state depends on the whole text, so the gradient of l_t reaches later steps too (s &gt; t).</p>
<p><b>Classifiers</b> (SampleRNN: an RNN, then a Linear on the last step's output) give a class
distribution: the bars are the classes if the text ended at the current word, the
<i>Classes</i> tab draws them for every prefix, and the gradient is that of the decision,
l_t = −log p(predicted class | w_0..w_t).</p>
"""

SYSTEMS_JA = """
<h3>ほかのシステム</h3>
<p><b>逆方向の言語モデル</b>はテキストを最後の単語から最初へ読み、前の単語を予測します。トークン、
隠れ状態の列、勾配の軸は右から左へ並ぶので、順方向のモデルと並べると単語の位置がそろいます。単語 i
で順方向のモデルは 0..i を、逆方向のモデルは最後の単語から i までを読んでいます（ELMo の biLM は
この二つの状態を合わせて使います）。逆方向のモデルで<i>続きを生成</i>すると、テキストの前が書かれます。</p>
<p><b>CBOW</b> は直前 N 個の埋め込みの平均から次の単語を予測します。隠れ状態の図はその平均で、
勾配はちょうど N 個の入力ステップに届き、窓の中の語順は区別できません。単語を右クリックして
<i>入れ替え</i>を選ぶと、窓の中の二語を入れ替えても CBOW の棒は変わらず、RNN の棒は変わることを
確かめられます。</p>
<p><b>双方向のネットワーク</b>は各層に順方向（→）と逆方向（←）の RNN を持ちます。各ステップの状態は
テキスト全体に依存するので、l_t の勾配は後のステップ（s &gt; t）にも届きます。</p>
<p><b>分類器</b>（SampleRNN：RNN の最後のステップの出力に Linear）はクラスの分布を出します。棒は
テキストが現在の単語で終わるとしたときのクラスの確率、<i>クラス</i>タブはすべての途中までの
テキストについての確率、勾配はその判定 l_t = −log p(予測したクラス | w_0..w_t) のものです。</p>
"""

HELP = {"en": VIEWS_EN + NOTATION_EN + EQUATIONS_EN + SYSTEMS_EN,
        "ja": VIEWS_JA + NOTATION_JA + EQUATIONS_JA + SYSTEMS_JA}

NUMBERS_TITLE = {"en": "This step's numbers", "ja": "このステップの数値"}
NUMBERS_HINT = {
    "en": "The equations of one unit, filled with what the model computed at the current step "
          "(x-part: W_ih x_t + b_ih; h-part: W_hh h_(t-1) + b_hh).",
    "ja": "一つのユニットの式に、現在のステップでモデルが計算した値を入れたもの"
          "（x-part：W_ih x_t + b_ih、h-part：W_hh h_(t-1) + b_hh）。",
}
