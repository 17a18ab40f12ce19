<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja">
    <context>
        <name>BeamTreeView</name>
        <message>
            <source>greedy</source>
            <translation>貪欲法</translation>
        </message>
        <message>
            <source>sample</source>
            <translation>サンプリング</translation>
        </message>
        <message>
            <source>beam search</source>
            <translation>ビームサーチ</translation>
        </message>
        <message>
            <source>tokens </source>
            <translation>トークン数 </translation>
        </message>
        <message>
            <source>width </source>
            <translation>ビーム幅 </translation>
        </message>
        <message>
            <source>seed </source>
            <translation>シード </translation>
        </message>
        <message>
            <source>Continue</source>
            <translation>続きを生成</translation>
        </message>
        <message>
            <source>Back</source>
            <translation>戻る</translation>
        </message>
        <message>
            <source>Return to the text before the last branch taken</source>
            <translation>最後に選んだ分岐の前の文に戻る</translation>
        </message>
        <message>
            <source>generated token</source>
            <translation>生成したトークン</translation>
        </message>
        <message>
            <source>Click a node to make that branch the text.</source>
            <translation>ノードをクリックすると、その分岐が文になります。</translation>
        </message>
        <message>
            <source>{0} reads backward: Continue writes before the text, and the tree grows to the left. Click a node to make that branch the text.</source>
            <translation>{0} は逆向きに読むため、「続きを生成」はテキストの前を書き、木は左へ伸びます。ノードをクリックするとその枝がテキストになります。</translation>
        </message>
        <message>
            <source>beam search, width {0}</source>
            <translation>ビームサーチ（幅 {0}）</translation>
        </message>
        <message>
            <source>sampling, seed {0}</source>
            <translation>サンプリング（シード {0}）</translation>
        </message>
        <message>
            <source>generating…</source>
            <translation>生成中…</translation>
        </message>
        <message>
            <source>generation failed: {0}</source>
            <translation>生成に失敗しました: {0}</translation>
        </message>
        <message>
            <source>(text)</source>
            <translation>（文）</translation>
        </message>
        <message>
            <source>generated token, before the text</source>
            <translation>生成したトークン（テキストの前）</translation>
        </message>
        <message>
            <source>{0}: best {1} (cumulative log p). Click a node to make that branch the text.</source>
            <translation>{0}: 最良 {1}（累積 log p）。ノードをクリックすると、その分岐が文になります。</translation>
        </message>
    </context>
    <context>
        <name>ClassCurvesView</name>
        <message>
            <source>p(class | text so far)</source>
            <translation>p(クラス | ここまでのテキスト)</translation>
        </message>
        <message>
            <source>the text cut after this word</source>
            <translation>この単語の後で切ったテキスト</translation>
        </message>
        <message>
            <source>{0}: if the text ended after {1}: {2} (p = {3})</source>
            <translation>{0}: テキストが {1} で終わるなら {2}（p = {3}）</translation>
        </message>
        <message>
            <source>Each line is one class's probability for the text cut after each word.</source>
            <translation>各線は、各単語の後で切ったテキストに対する 1 つのクラスの確率です。</translation>
        </message>
        <message>
            <source>No classifier is open: open one (Models menu) to see its decision over the text.</source>
            <translation>分類器が開かれていません。分類器を開くと（モデルメニュー）テキスト全体での判定を表示します。</translation>
        </message>
    </context>
    <context>
        <name>ColumnHeader</name>
        <message>
            <source>Close this model (the others stay)</source>
            <translation>このモデルを閉じる（ほかのモデルは残ります）</translation>
        </message>
        <message>
            <source>← reads right to left</source>
            <translation>← 右から左へ読む</translation>
        </message>
        <message>
            <source>own tokens: step {0} of {1}, “{2}”</source>
            <translation>自身のトークン: ステップ {0}/{1}、「{2}」</translation>
        </message>
    </context>
    <context>
        <name>CompareGradientView</name>
        <message>
            <source>shared scale</source>
            <translation>共通の目盛り</translation>
        </message>
        <message>
            <source>Fix the log axis over every computed gradient of every model (off: fit the current curves)</source>
            <translation>すべてのモデルの計算済みの勾配すべてに対数軸を固定する（オフ: 今の曲線に合わせる）</translation>
        </message>
        <message>
            <source>cell state c</source>
            <translation>記憶セル c</translation>
        </message>
        <message>
            <source>Dashed: ||d l_t / d c_s|| of LSTMs, the path the forget gate keeps open</source>
            <translation>破線: LSTM の ||d l_t / d c_s||。忘却ゲートが開いておく経路</translation>
        </message>
        <message>
            <source>input</source>
            <translation>入力</translation>
        </message>
        <message>
            <source>Dotted: ||d l_t / d e_s||, the gradient reaching the word embedding fed at step s</source>
            <translation>点線: ||d l_t / d e_s||。ステップ s で入力した単語の埋め込みに届く勾配</translation>
        </message>
        <message>
            <source>also plot</source>
            <translation>追加で表示</translation>
        </message>
        <message>
            <source>gradient norm (log)</source>
            <translation>勾配ノルム（対数）</translation>
        </message>
        <message>
            <source>d: steps back from the current token (own tokens)</source>
            <translation>d: 現在のトークンからさかのぼるステップ数（自身のトークン）</translation>
        </message>
        <message>
            <source>d = t - s: how many of its own tokens before the current one each model's step s is. d &lt; 0: tokens after the current one, which a bidirectional net's reverse direction has read</source>
            <translation>d = t - s: 各モデルのステップ s が現在のトークンより自身のトークンでいくつ前か。d &lt; 0: 現在より後のトークン（双方向ネットの逆方向が読み終えている）</translation>
        </message>
        <message>
            <source>d: steps back</source>
            <translation>d: さかのぼるステップ数</translation>
        </message>
        <message>
            <source>{0} ({1})</source>
            <translation>{0}（{1}）</translation>
        </message>
        <message>
            <source>the predicted class</source>
            <translation>予測したクラス</translation>
        </message>
        <message>
            <source>its top guess</source>
            <translation>最上位の予測</translation>
        </message>
        <message>
            <source>the chosen class</source>
            <translation>選んだクラス</translation>
        </message>
        <message>
            <source>the chosen word</source>
            <translation>選んだ単語</translation>
        </message>
        <message>
            <source>the true previous word</source>
            <translation>正解の前の単語</translation>
        </message>
        <message>
            <source>the true next word</source>
            <translation>正解の次の単語</translation>
        </message>
        <message>
            <source>{0}: −log p({1}) after {2} ({3})</source>
            <translation>{0}: {2} の後の −log p({1})（{3}）</translation>
        </message>
        <message>
            <source>shared fixed scale</source>
            <translation>共通の固定目盛り</translation>
        </message>
        <message>
            <source>axis fits the curves</source>
            <translation>軸は曲線に合わせる</translation>
        </message>
        <message>
            <source>Loss differentiated — {0}. {1}.</source>
            <translation>微分する損失 — {0}。{1}。</translation>
        </message>
    </context>
    <context>
        <name>ExampleOpener</name>
        <message>
            <source>Opening {0}…</source>
            <translation>{0} を開いています…</translation>
        </message>
        <message>
            <source>Could not open {0}: {1}</source>
            <translation>{0} を開けませんでした: {1}</translation>
        </message>
        <message>
            <source>Opened {0}</source>
            <translation>{0} を開きました</translation>
        </message>
    </context>
    <context>
        <name>GradientPane</name>
        <message>
            <source>All models, one axis</source>
            <translation>全モデルを一つの軸に</translation>
        </message>
        <message>
            <source>Each model</source>
            <translation>モデルごと</translation>
        </message>
    </context>
    <context>
        <name>GradientView</name>
        <message>
            <source>exact</source>
            <translation>厳密</translation>
        </message>
        <message>
            <source>Truncated BPTT: the gradient flows back only within blocks of K steps (0 = exact, through the whole sentence)</source>
            <translation>Truncated BPTT: 勾配は K ステップごとのブロックの中だけを逆伝播します（0 = 厳密、文全体を通す）</translation>
        </message>
        <message>
            <source>cell state c</source>
            <translation>記憶セル c</translation>
        </message>
        <message>
            <source>Also plot ||d l_t / d c_s||, the LSTM's cell-state path (dashed)</source>
            <translation>||d l_t / d c_s|| も描く: LSTM の記憶セルの経路（破線）</translation>
        </message>
        <message>
            <source>input</source>
            <translation>入力</translation>
        </message>
        <message>
            <source>Also plot ||d l_t / d e_s|| (dotted), the gradient reaching the word embedding fed at step s: input saliency</source>
            <translation>||d l_t / d e_s|| も描く（点線）: ステップ s で入力した単語の埋め込みに届く勾配（入力の顕著性）</translation>
        </message>
        <message>
            <source>Which gradient the T x T matrix shows</source>
            <translation>T x T 行列に表示する勾配</translation>
        </message>
        <message>
            <source>auto range</source>
            <translation>自動範囲</translation>
        </message>
        <message>
            <source>fixed range</source>
            <translation>固定範囲</translation>
        </message>
        <message>
            <source>auto: the y range and the matrix colours follow what is shown; fixed: one log range over every computed step (of every model), so stepping never rescales</source>
            <translation>自動: y 軸の範囲と行列の色は表示中のものに合わせる。固定: 計算済みの全ステップ（全モデル）にわたる一つの対数範囲で、ステップを進めても変わらない</translation>
        </message>
        <message>
            <source>Gradient reaching back</source>
            <translation>過去へ届く勾配</translation>
        </message>
        <message>
            <source>truncate BPTT</source>
            <translation>BPTT の打ち切り</translation>
        </message>
        <message>
            <source>also plot</source>
            <translation>追加で表示</translation>
        </message>
        <message>
            <source>matrix</source>
            <translation>行列</translation>
        </message>
        <message>
            <source>s: the step the gradient reaches</source>
            <translation>s: 勾配が届くステップ</translation>
        </message>
        <message>
            <source>loss at step t</source>
            <translation>ステップ t の損失</translation>
        </message>
        <message>
            <source>step s</source>
            <translation>ステップ s</translation>
        </message>
        <message>
            <source>log10 norm</source>
            <translation>log10 ノルム</translation>
        </message>
        <message>
            <source>h, {0} (top)</source>
            <translation>h, {0}（最上層）</translation>
        </message>
        <message>
            <source>h, {0}</source>
            <translation>h, {0}</translation>
        </message>
        <message>
            <source>S, {0}</source>
            <translation>S, {0}</translation>
        </message>
        <message>
            <source>c, {0}</source>
            <translation>c, {0}</translation>
        </message>
        <message>
            <source>h_s, {0}</source>
            <translation>h_s, {0}</translation>
        </message>
        <message>
            <source>S_s, {0} (dashed)</source>
            <translation>S_s, {0}（破線）</translation>
        </message>
        <message>
            <source>c_s, {0} (dashed)</source>
            <translation>c_s, {0}（破線）</translation>
        </message>
        <message>
            <source>input embedding</source>
            <translation>入力の埋め込み</translation>
        </message>
        <message>
            <source>e_s, input (dotted)</source>
            <translation>e_s, 入力（点線）</translation>
        </message>
        <message>
            <source>exact (no truncation)</source>
            <translation>厳密（打ち切りなし）</translation>
        </message>
        <message>
            <source>WKV state S</source>
            <translation>WKV 状態 S</translation>
        </message>
        <message>
            <source>Computing the gradient of step {0} in the background ({0} steps back)…</source>
            <translation>ステップ {0} の勾配をバックグラウンドで計算中（{0} ステップ分）…</translation>
        </message>
        <message>
            <source>no T x T matrix: it would need {0} GB (budget {1} MB)</source>
            <translation>T x T 行列なし: {0} GB 必要です（上限 {1} MB）</translation>
        </message>
        <message>
            <source>d/dh_s of -log p({0} | {1}) at step {2}: the gradient of the decision at the cursor, the class {0} the model picks if the text ends here</source>
            <translation>ステップ {2} の -log p({0} | {1}) の d/dh_s: カーソル位置での判定の勾配（テキストがここで終わるときにモデルが選ぶクラス {0}）</translation>
        </message>
        <message>
            <source>d/dh_s of -log p({0} | {1}) at step {2}: the loss of the traced class {0} if the text ends here</source>
            <translation>ステップ {2} の -log p({0} | {1}) の d/dh_s: テキストがここで終わるときの追跡中のクラス {0} の損失</translation>
        </message>
        <message>
            <source>d/dh_s of -log p({0} | {1}) at step {2}: of the model's own top-1 prediction {0} (no previous word in the sentence)</source>
            <translation>ステップ {2} の -log p({0} | {1}) の d/dh_s: モデル自身の 1 位の予測 {0}（文に前の単語がない）</translation>
        </message>
        <message>
            <source>d/dh_s of -log p({0} | {1}) at step {2}: the loss of the true previous word {0} (the model reads right to left)</source>
            <translation>ステップ {2} の -log p({0} | {1}) の d/dh_s: 正解の前の単語 {0} の損失（モデルは右から左へ読む）</translation>
        </message>
        <message>
            <source>d/dh_s of -log p({0} | {1}) at step {2}: of the model's own top-1 prediction {0} (no next word in the sentence)</source>
            <translation>ステップ {2} の -log p({0} | {1}) の d/dh_s: モデル自身の 1 位の予測 {0}（文に次の単語がない）</translation>
        </message>
        <message>
            <source>d/dh_s of -log p({0} | {1}) at step {2}: the loss of the true next word {0}</source>
            <translation>ステップ {2} の -log p({0} | {1}) の d/dh_s: 正解の次の単語 {0} の損失</translation>
        </message>
        <message>
            <source>steps before {0} are cut (shaded)</source>
            <translation>ステップ {0} より前は打ち切り（網掛け）</translation>
        </message>
        <message>
            <source>nothing is cut yet</source>
            <translation>まだ打ち切りなし</translation>
        </message>
        <message>
            <source>.  Truncated BPTT, K = {0}: {1}; faint: the exact gradient</source>
            <translation>。Truncated BPTT, K = {0}: {1}。薄い線: 厳密な勾配</translation>
        </message>
        <message>
            <source>Hover the curves or the matrix for tokens and values.</source>
            <translation>曲線や行列にマウスを重ねると単語と値を表示します。</translation>
        </message>
        <message>
            <source>loss at step {0} ({1}) → step {2} ({3}): norm {4}</source>
            <translation>ステップ {0} ({1}) の損失 → ステップ {2} ({3}): ノルム {4}</translation>
        </message>
        <message>
            <source>step {0} ({1}): {2}</source>
            <translation>ステップ {0} ({1}): {2}</translation>
        </message>
    </context>
    <context>
        <name>HiddenStateView</name>
        <message>
            <source>h  hidden state</source>
            <translation>h  隠れ状態</translation>
        </message>
        <message>
            <source>c  cell state</source>
            <translation>c  記憶セル</translation>
        </message>
        <message>
            <source>i  input gate</source>
            <translation>i  入力ゲート</translation>
        </message>
        <message>
            <source>f  forget gate</source>
            <translation>f  忘却ゲート</translation>
        </message>
        <message>
            <source>g  candidate</source>
            <translation>g  候補</translation>
        </message>
        <message>
            <source>o  output gate</source>
            <translation>o  出力ゲート</translation>
        </message>
        <message>
            <source>r  reset gate</source>
            <translation>r  リセットゲート</translation>
        </message>
        <message>
            <source>z  update gate</source>
            <translation>z  更新ゲート</translation>
        </message>
        <message>
            <source>n  candidate</source>
            <translation>n  候補</translation>
        </message>
        <message>
            <source>z follows PyTorch: h' = (1 − z)·n + z·h, so z near 1 (dark) keeps the old state; the book writes h = (1 − z)·h_prev + z·h_hat, where z is 1 minus this one.</source>
            <translation>z は PyTorch に従う: h' = (1 − z)·n + z·h なので、z が 1 に近い（濃い）と古い状態を保つ。本では h = (1 − z)·h_prev + z·h_hat と書き、その z は 1 からこの z を引いたもの。</translation>
        </message>
        <message>
            <source>white = 0 (gate closed), purple = 1 (gate open)</source>
            <translation>白 = 0（ゲートが閉じる）、紫 = 1（ゲートが開く）</translation>
        </message>
        <message>
            <source>blue = −1, white = 0, red = +1</source>
            <translation>青 = −1、白 = 0、赤 = +1</translation>
        </message>
        <message>
            <source>blue = negative, white = 0, red = positive (scaled to the largest |value|)</source>
            <translation>青 = 負、白 = 0、赤 = 正（最大の |値| で正規化）</translation>
        </message>
        <message>
            <source>What the network holds: each row is one unit of the {0} ({1}), each column a token read so far ({2}). The outlined column is the current token.</source>
            <translation>ネットワークが保持するもの: 各行は{0}（{1}）の一つのユニット、各列はこれまでに読んだトークン（{2}）。枠で囲んだ列が現在のトークン。</translation>
        </message>
        <message>
            <source>all {0} units</source>
            <translation>全 {0} ユニット</translation>
        </message>
        <message>
            <source>units {0}–{1} of {2}</source>
            <translation>ユニット {0}–{1} / {2}</translation>
        </message>
        <message>
            <source>layer {0}</source>
            <translation>第{0}層</translation>
        </message>
        <message>
            <source>layer {0} {1}</source>
            <translation>第{0}層 {1}</translation>
        </message>
        <message>
            <source>window mean</source>
            <translation>窓の平均</translation>
        </message>
        <message>
            <source>Which vector to show: the hidden state h, the LSTM cell state c, or a gate's activations</source>
            <translation>表示するベクトル: 隠れ状態 h、LSTM の記憶セル c、またはゲートの活性</translation>
        </message>
        <message>
            <source>Hidden state</source>
            <translation>隠れ状態</translation>
        </message>
        <message>
            <source>show</source>
            <translation>表示</translation>
        </message>
        <message>
            <source>token, read ←</source>
            <translation>トークン ←</translation>
        </message>
        <message>
            <source>token (read right to left: the columns fill in from the end)</source>
            <translation>トークン（右から左へ読む: 列は末尾から埋まる）</translation>
        </message>
        <message>
            <source>token (← read all)</source>
            <translation>トークン（←全文）</translation>
        </message>
        <message>
            <source>Reset view</source>
            <translation>表示をリセット</translation>
        </message>
        <message>
            <source>Show all units and follow the cursor again (or double-click a map)</source>
            <translation>全ユニットを表示し、再びカーソルに追従する（マップのダブルクリックでも可）</translation>
        </message>
        <message>
            <source>by index</source>
            <translation>番号順</translation>
        </message>
        <message>
            <source>by value here</source>
            <translation>現在の値の順</translation>
        </message>
        <message>
            <source>by variance</source>
            <translation>分散の順</translation>
        </message>
        <message>
            <source>by r with the selected unit</source>
            <translation>選択ユニットとの相関順</translation>
        </message>
        <message>
            <source>The order the units are drawn in (the hover and the inspector still name the true unit)</source>
            <translation>ユニットを描く順序（ホバーとユニット詳細は本来のユニット番号を示します）</translation>
        </message>
        <message>
            <source>Hover a cell for its value.  Wheel over a map: zoom the units; drag: scroll them; double-click: reset.</source>
            <translation>セルにマウスを重ねると値を表示。マップ上でホイール: ユニットを拡大、ドラッグ: スクロール、ダブルクリック: リセット。</translation>
        </message>
        <message>
            <source>{0} units (top)</source>
            <translation>{0}のユニット（最上層）</translation>
        </message>
        <message>
            <source>{0} units</source>
            <translation>{0}のユニット</translation>
        </message>
        <message>
            <source>token (the ← direction has read the whole text)</source>
            <translation>トークン（← 方向はテキスト全体を読み終えている）</translation>
        </message>
        <message>
            <source>token, read →</source>
            <translation>トークン →</translation>
        </message>
        <message>
            <source>{0}, token {1} (step {2}), unit {3}: {4} = {5}</source>
            <translation>{0}、トークン {1}（ステップ {2}）、ユニット {3}: {4} = {5}</translation>
        </message>
        <message>
            <source>token (columns fill in as the model reads)</source>
            <translation>トークン（読むにつれて列が埋まる）</translation>
        </message>
        <message>
            <source>follow</source>
            <translation>追従</translation>
        </message>
        <message>
            <source>Follow the cursor: keep the current token in view on long texts</source>
            <translation>カーソルに追従: 長いテキストで現在のトークンを表示し続ける</translation>
        </message>
        <message>
            <source>after {0} (step {1} of {2})</source>
            <translation>{0} の後（ステップ {1} / {2}）</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Step through</source>
            <translation>ステップ実行</translation>
        </message>
        <message>
            <source>Hidden state</source>
            <translation>隠れ状態</translation>
        </message>
        <message>
            <source>What the network remembers: each row is one unit of the hidden state, each column a word read so far (blue = negative, red = positive). The outlined column is the current word.</source>
            <translation>ネットワークが覚えているもの: 各行は隠れ状態の一つのユニット、各列はこれまでに読んだ単語（青 = 負、赤 = 正）。枠で囲んだ列が現在の単語。</translation>
        </message>
        <message>
            <source>Next-word prediction</source>
            <translation>次の単語の予測</translation>
        </message>
        <message>
            <source>After reading the current word, how likely the model finds each possible next word. The true next word is highlighted, with its rank.</source>
            <translation>現在の単語を読んだ後、モデルが各単語を次に来るとどれだけ見込むか。正解の次の単語を順位とともに強調表示します。</translation>
        </message>
        <message>
            <source>Gradient flow back in time</source>
            <translation>過去への勾配の流れ</translation>
        </message>
        <message>
            <source>How strongly this step's loss reaches back to each earlier hidden state (log scale). A curve that falls steeply to the left is the vanishing gradient.</source>
            <translation>このステップの損失がそれ以前の各隠れ状態へどれだけ強く届くか（対数目盛）。左へ急に下がる曲線が勾配消失です。</translation>
        </message>
        <message>
            <source>({0} is not available in this build)</source>
            <translation>（{0} はこのビルドでは使えません）</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>モデル</translation>
        </message>
        <message>
            <source>Hidden state, next-word prediction and gradients, step by step</source>
            <translation>隠れ状態、次の単語の予測、勾配をステップごとに</translation>
        </message>
        <message>
            <source>gradients %p%</source>
            <translation>勾配 %p%</translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>ファイル(&amp;F)</translation>
        </message>
        <message>
            <source>&amp;Open model…</source>
            <translation>モデルを開く(&amp;O)…</translation>
        </message>
        <message>
            <source>Open &amp;recent</source>
            <translation>最近使ったファイル(&amp;R)</translation>
        </message>
        <message>
            <source>Open &amp;session…</source>
            <translation>セッションを開く(&amp;S)…</translation>
        </message>
        <message>
            <source>&amp;Save session…</source>
            <translation>セッションを保存(&amp;S)…</translation>
        </message>
        <message>
            <source>Export &amp;figure…</source>
            <translation>図を書き出す(&amp;F)…</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>終了(&amp;Q)</translation>
        </message>
        <message>
            <source>&amp;View</source>
            <translation>表示(&amp;V)</translation>
        </message>
        <message>
            <source>Edit the &amp;sentence</source>
            <translation>文を編集(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>ヘルプ(&amp;H)</translation>
        </message>
        <message>
            <source>&amp;Help panel: views, notation, equations</source>
            <translation>ヘルプパネル: ビュー、記法、数式(&amp;H)</translation>
        </message>
        <message>
            <source>&amp;Keys and views</source>
            <translation>キーとビュー(&amp;K)</translation>
        </message>
        <message>
            <source>&amp;Language</source>
            <translation>言語(&amp;L)</translation>
        </message>
        <message>
            <source>Long text ({0} tokens): the full gradient matrix would need {1} GB, so only the rows you visit are computed and kept</source>
            <translation>長いテキスト（{0} トークン）: 勾配行列全体には {1} GB 必要なため、訪れた行だけを計算して保持します</translation>
        </message>
        <message>
            <source>choose the vocabulary for this model</source>
            <translation>このモデルの語彙を選んでください</translation>
        </message>
        <message>
            <source>Opening {0}…</source>
            <translation>{0} を開いています…</translation>
        </message>
        <message>
            <source>Opened {0}</source>
            <translation>{0} を開きました</translation>
        </message>
        <message>
            <source>Open cancelled: the previous model stays</source>
            <translation>開くのを取り消しました: 前のモデルのままです</translation>
        </message>
        <message>
            <source>Could not open {0}</source>
            <translation>{0} を開けませんでした</translation>
        </message>
        <message>
            <source>Cannot open model</source>
            <translation>モデルを開けません</translation>
        </message>
        <message>
            <source>Clear list</source>
            <translation>一覧を消去</translation>
        </message>
        <message>
            <source>Bundled models</source>
            <translation>同梱モデル</translation>
        </message>
        <message>
            <source>Keys and views</source>
            <translation>キーとビュー</translation>
        </message>
        <message>
            <source>&lt;b&gt;Keys&lt;/b&gt; (anywhere except while typing in the sentence box)&lt;br&gt;
Right / Left: next / previous word &amp;nbsp; Home / End: first / last word &amp;nbsp;
Space: play / pause&lt;br&gt;
Enter in the sentence box runs the sentence from the first word and hands the keys back;
Esc leaves the box, Ctrl+L returns to it. Ctrl+O opens a model; you can also drop a file on the
window.&lt;br&gt;&lt;br&gt;
&lt;b&gt;Views&lt;/b&gt;&lt;br&gt;
&lt;i&gt;Hidden state&lt;/i&gt;: the network's memory, unit by unit, for every word read so far.&lt;br&gt;
&lt;i&gt;Next-word prediction&lt;/i&gt;: the most likely next words after the current one.&lt;br&gt;
&lt;i&gt;Gradient flow back in time&lt;/i&gt;: how much this step's loss depends on each earlier step —
watch it fade (vanishing gradients) and see what truncated BPTT cuts off.&lt;br&gt;&lt;br&gt;
&lt;b&gt;GRU update gate z&lt;/b&gt;: rnnviz follows PyTorch, h' = (1 − z)·n + z·h, so z near 1 keeps the
old state. The book writes h = (1 − z)·h_prev + z·h_hat: its z is 1 minus the one shown.&lt;br&gt;
&lt;b&gt;Character models&lt;/b&gt;: spaces show as ␣ and newlines as ⏎; type 
 in the sentence box for
a newline (\ for a backslash).</source>
            <translation>&lt;b&gt;キー&lt;/b&gt;（文の入力欄で入力中を除き、どこでも）&lt;br&gt;
右 / 左: 次 / 前の単語 &amp;nbsp; Home / End: 最初 / 最後の単語 &amp;nbsp;
Space: 再生 / 一時停止&lt;br&gt;
文の入力欄で Enter を押すと最初の単語から文を実行し、キー操作を戻します。
Esc で入力欄を離れ、Ctrl+L で戻ります。Ctrl+O でモデルを開きます。ファイルを
ウィンドウにドロップしても開けます。&lt;br&gt;&lt;br&gt;
&lt;b&gt;ビュー&lt;/b&gt;&lt;br&gt;
&lt;i&gt;隠れ状態&lt;/i&gt;: これまでに読んだ各単語でのネットワークの記憶（ユニットごと）。&lt;br&gt;
&lt;i&gt;次の単語の予測&lt;/i&gt;: 現在の単語の後に来る可能性の高い単語。&lt;br&gt;
&lt;i&gt;過去への勾配の流れ&lt;/i&gt;: このステップの損失がそれ以前の各ステップにどれだけ依存するか —
弱まっていく様子（勾配消失）と Truncated BPTT が打ち切る部分を見られます。&lt;br&gt;&lt;br&gt;
&lt;b&gt;GRU の更新ゲート z&lt;/b&gt;: rnnviz は PyTorch に従い h' = (1 − z)·n + z·h なので、z が 1 に近いと
古い状態を保ちます。本では h = (1 − z)·h_prev + z·h_hat と書き、その z は 1 から表示の z を引いたものです。&lt;br&gt;
&lt;b&gt;文字モデル&lt;/b&gt;: 空白は ␣、改行は ⏎ で表示します。改行は文の入力欄に \n と入力します
（バックスラッシュは \）。</translation>
        </message>
        <message>
            <source>Class probabilities</source>
            <translation>クラスの確率</translation>
        </message>
        <message>
            <source>The classifier's decision if the text ended at the current word: the probability of each class for the prefix read so far (the Classes tab shows it over every prefix).</source>
            <translation>テキストが現在の単語で終わるとしたときの分類器の判定: ここまで読んだ部分に対する各クラスの確率（クラスタブではすべての途中までのテキストについて表示）。</translation>
        </message>
        <message>
            <source>Previous-word prediction</source>
            <translation>前の単語の予測</translation>
        </message>
        <message>
            <source>This model reads the text right to left: after reading from the end back to the current word, how likely it finds each possible previous word. The true previous word is highlighted, with its rank.</source>
            <translation>このモデルはテキストを右から左へ読みます。末尾から現在の単語まで読んだ後、前に来る各単語の確からしさ。正解の前の単語を順位とともに強調表示します。</translation>
        </message>
        <message>
            <source>Next-character prediction</source>
            <translation>次の文字の予測</translation>
        </message>
        <message>
            <source>After reading the current character, how likely the model finds each possible next character. The true next character is highlighted, with its rank.</source>
            <translation>現在の文字を読んだ後、モデルが各文字を次に来るとどれだけ見込むか。正解の次の文字を順位とともに強調表示します。</translation>
        </message>
        <message>
            <source>loss of the predicted class</source>
            <translation>予測したクラスの損失</translation>
        </message>
        <message>
            <source>loss of its own top guess</source>
            <translation>自身の 1 位の予測の損失</translation>
        </message>
        <message>
            <source>previous-character loss</source>
            <translation>前の文字の損失</translation>
        </message>
        <message>
            <source>previous-word loss</source>
            <translation>前の単語の損失</translation>
        </message>
        <message>
            <source>next-character loss</source>
            <translation>次の文字の損失</translation>
        </message>
        <message>
            <source>next-word loss</source>
            <translation>次の単語の損失</translation>
        </message>
        <message>
            <source>loss of the chosen word “{0}”</source>
            <translation>選んだ単語 “{0}” の損失</translation>
        </message>
        <message>
            <source>step {0} of {1}   ·   token “{2}”   ·   {3} {4}   ·   perplexity so far {5}</source>
            <translation>ステップ {0} / {1}   ·   トークン “{2}”   ·   {3} {4}   ·   ここまでのパープレキシティ {5}</translation>
        </message>
        <message>
            <source>step {0} of {1}   ·   token “{2}”   ·   {3} {4}</source>
            <translation>ステップ {0} / {1}   ·   トークン “{2}”   ·   {3} {4}</translation>
        </message>
        <message>
            <source>the models tokenize the text differently: each steps by its own tokens</source>
            <translation>モデルごとにトークン化が異なります: 各モデルは自分のトークンで進みます</translation>
        </message>
        <message>
            <source>no sentence</source>
            <translation>文がありません</translation>
        </message>
    </context>
    <context>
        <name>MatchPanel</name>
        <message>
            <source>&lt;b&gt;Where else do these units switch on?&lt;/b&gt;&lt;p&gt;1. Choose a span of steps of the text (or press &lt;i&gt;3 steps to the cursor&lt;/i&gt;) and a threshold: the units of the selected unit's layer that stay at or above it over the span are listed on the left.&lt;/p&gt;&lt;p&gt;2. Press &lt;i&gt;Match&lt;/i&gt;: the corpus indexed in the &lt;i&gt;Unit inspector&lt;/i&gt; tab is searched for the places where the same units switch on for as long. The best 50 are listed here, coloured by the share of the selected units that are on, with a histogram of how long each match lasts.&lt;/p&gt;&lt;p&gt;3. Click a match's score to load its passage.&lt;/p&gt;</source>
            <translation>&lt;b&gt;これらのユニットは他のどこで点灯するか&lt;/b&gt;&lt;p&gt;1. 文のステップの範囲（または &lt;i&gt;カーソルまでの 3 ステップ&lt;/i&gt;）と閾値を選びます。選択中ユニットの層のうち、範囲全体で閾値以上にとどまるユニットが左に並びます。&lt;/p&gt;&lt;p&gt;2. &lt;i&gt;一致を探す&lt;/i&gt; を押すと、&lt;i&gt;ユニット詳細&lt;/i&gt; タブで索引を作ったコーパスから、同じユニットが同じ長さだけ点灯する箇所を探します。上位 50 件をここに、選択ユニットのうち点灯している割合で色付けして示し、各一致の長さをヒストグラムにします。&lt;/p&gt;&lt;p&gt;3. 一致のスコアをクリックするとその箇所を読み込みます。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>matching on-units minus extra on-units</source>
            <translation>一致した活性ユニット数 − 余分な活性ユニット数</translation>
        </message>
        <message>
            <source>steps </source>
            <translation>ステップ </translation>
        </message>
        <message>
            <source>to </source>
            <translation>～ </translation>
        </message>
        <message>
            <source>threshold </source>
            <translation>しきい値 </translation>
        </message>
        <message>
            <source>below just before</source>
            <translation>直前は下回る</translation>
        </message>
        <message>
            <source>Keep only units that are below the threshold at the step before</source>
            <translation>直前のステップでしきい値を下回るユニットだけを残す</translation>
        </message>
        <message>
            <source>3 steps to the cursor</source>
            <translation>カーソルまでの 3 ステップ</translation>
        </message>
        <message>
            <source>Match</source>
            <translation>一致を探す</translation>
        </message>
        <message>
            <source>Select</source>
            <translation>選択</translation>
        </message>
        <message>
            <source>match length (steps)</source>
            <translation>一致の長さ（ステップ）</translation>
        </message>
        <message>
            <source>matches</source>
            <translation>一致数</translation>
        </message>
        <message>
            <source>&lt;i&gt;Open a model and type a text.&lt;/i&gt;</source>
            <translation>&lt;i&gt;モデルを開いて文を入力してください。&lt;/i&gt;</translation>
        </message>
        <message>
            <source>&lt;b&gt;{0} units&lt;/b&gt; of layer {1} ({2}) stay at or above {3} over steps {4}-{5} and are below it just before:</source>
            <translation>第{1}層（{2}）の &lt;b&gt;{0} 個のユニット&lt;/b&gt;が、ステップ {4}-{5} でずっと {3} 以上、その直前は下回る:</translation>
        </message>
        <message>
            <source>&lt;b&gt;{0} units&lt;/b&gt; of layer {1} ({2}) stay at or above {3} over steps {4}-{5}:</source>
            <translation>第{1}層（{2}）の &lt;b&gt;{0} 個のユニット&lt;/b&gt;が、ステップ {4}-{5} でずっと {3} 以上:</translation>
        </message>
        <message>
            <source>corpus: {0} tokens indexed</source>
            <translation>コーパス: {0} トークンを索引付け済み</translation>
        </message>
        <message>
            <source>Index a corpus in the unit inspector first</source>
            <translation>先にユニット詳細でコーパスを索引付けしてください</translation>
        </message>
        <message>
            <source>No unit is on over the span: lower the threshold or the span</source>
            <translation>範囲全体で活性化しているユニットがありません: しきい値を下げるか範囲を狭めてください</translation>
        </message>
        <message>
            <source>score = {0} (best {1} of {2})</source>
            <translation>スコア = {0}（最高 {1} / {2}）</translation>
        </message>
        <message>
            <source>len {0}</source>
            <translation>長さ {0}</translation>
        </message>
        <message>
            <source>&lt;b&gt;Top {0} matches&lt;/b&gt; (colour: share of the selected units on)</source>
            <translation>&lt;b&gt;上位 {0} 件の一致&lt;/b&gt;（色: 選んだユニットのうち活性化している割合）</translation>
        </message>
    </context>
    <context>
        <name>MemoryView</name>
        <message>
            <source>input e</source>
            <translation>入力 e</translation>
        </message>
        <message>
            <source>{0} layer {1}</source>
            <translation>{0} 第{1}層</translation>
        </message>
        <message>
            <source>Corpus…</source>
            <translation>コーパス…</translation>
        </message>
        <message>
            <source>Choose a text file (one sentence a line, read as 'rnnviz eval' reads it; character models read its characters)</source>
            <translation>テキストファイルを選ぶ（1 行に 1 文。'rnnviz eval' と同じ読み方で、文字モデルは文字単位で読みます）</translation>
        </message>
        <message>
            <source>N = </source>
            <translation>N = </translation>
        </message>
        <message>
            <source>Use the first N tokens of the corpus</source>
            <translation>コーパスの先頭 N トークンを使う</translation>
        </message>
        <message>
            <source>D = </source>
            <translation>D = </translation>
        </message>
        <message>
            <source>Largest distance d</source>
            <translation>最大距離 d</translation>
        </message>
        <message>
            <source>Compute</source>
            <translation>計算</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>キャンセル</translation>
        </message>
        <message>
            <source>h</source>
            <translation>h</translation>
        </message>
        <message>
            <source>cell state c</source>
            <translation>記憶セル c</translation>
        </message>
        <message>
            <source>input</source>
            <translation>入力</translation>
        </message>
        <message>
            <source>lower layers</source>
            <translation>下位の層</translation>
        </message>
        <message>
            <source>25–75% band</source>
            <translation>25–75% の帯</translation>
        </message>
        <message>
            <source>show</source>
            <translation>表示</translation>
        </message>
        <message>
            <source>median ||d l_t / d x_(t-d)|| (log)</source>
            <translation>||d l_t / d x_(t-d)|| の中央値（対数）</translation>
        </message>
        <message>
            <source>d: steps back (each model's own tokens)</source>
            <translation>d: さかのぼるステップ数（各モデル自身のトークン）</translation>
        </message>
        <message>
            <source>model</source>
            <translation>モデル</translation>
        </message>
        <message>
            <source>path</source>
            <translation>経路</translation>
        </message>
        <message>
            <source>span</source>
            <translation>記憶の長さ</translation>
        </message>
        <message>
            <source>d = 0</source>
            <translation>d = 0</translation>
        </message>
        <message>
            <source>d = D</source>
            <translation>d = D</translation>
        </message>
        <message>
            <source>Span: the largest d whose median is still at least 1% of its value at d = 0</source>
            <translation>記憶の長さ: 中央値が d = 0 での値の 1% 以上を保つ最大の d</translation>
        </message>
        <message>
            <source>Median over the corpus positions t of the gradient of the loss at t with respect to the state d steps earlier; shaded: 25–75% of positions. Solid: hidden state h, dashed: LSTM cell state c, dotted: input embedding; thin: lower layers.</source>
            <translation>時刻 t の損失の、d ステップ前の状態に関する勾配のノルムを、コーパスの位置 t について取った中央値。影: 位置の 25–75%。実線: 隠れ状態 h、破線: LSTM の記憶セル c、点線: 入力の埋め込み、細線: 下位の層。</translation>
        </message>
        <message>
            <source>corpus: {0} (shipped: text sampled from ptb-lstm)</source>
            <translation>コーパス: {0}（同梱: ptb-lstm から生成した文）</translation>
        </message>
        <message>
            <source>corpus: {0}</source>
            <translation>コーパス: {0}</translation>
        </message>
        <message>
            <source>N or D changed: press Compute</source>
            <translation>N か D が変わりました: 「計算」を押してください</translation>
        </message>
        <message>
            <source>Corpus for the memory curves</source>
            <translation>記憶曲線のコーパス</translation>
        </message>
        <message>
            <source>Text files (*.txt);;All files (*)</source>
            <translation>テキストファイル (*.txt);;すべてのファイル (*)</translation>
        </message>
        <message>
            <source>computing {0} model(s)…</source>
            <translation>{0} 個のモデルを計算中…</translation>
        </message>
        <message>
            <source>cancelled</source>
            <translation>キャンセルしました</translation>
        </message>
        <message>
            <source>{0} tokens, d = 0..{1}, targets t = {1}..{2}</source>
            <translation>{0} トークン、d = 0..{1}、対象の時刻 t = {1}..{2}</translation>
        </message>
    </context>
    <context>
        <name>ModelPanel</name>
        <message>
            <source>vanilla RNN (tanh)</source>
            <translation>素の RNN (tanh)</translation>
        </message>
        <message>
            <source>vanilla RNN (ReLU)</source>
            <translation>素の RNN (ReLU)</translation>
        </message>
        <message>
            <source>RWKV-4 (trained time-parallel, stepped here as an RNN)</source>
            <translation>RWKV-4（時間方向に並列で学習、ここでは RNN として 1 ステップずつ実行）</translation>
        </message>
        <message>
            <source>RWKV-7 "Goose" (trained as a scan, stepped here as an RNN)</source>
            <translation>RWKV-7 "Goose"（スキャンとして学習、ここでは RNN として 1 ステップずつ実行）</translation>
        </message>
        <message>
            <source>CBOW (the mean of the last N embeddings)</source>
            <translation>CBOW（直前 N 個の埋め込みの平均）</translation>
        </message>
        <message>
            <source>trained over whole windows at once, stepped here one token at a time: the two forms give the same logits (checked to 1e-5)</source>
            <translation>学習では窓全体を一度に処理し、ここでは 1 トークンずつ進める: 2 つの形は同じロジットを与える（1e-5 まで確認）</translation>
        </message>
        <message>
            <source>PyTorch whole module</source>
            <translation>PyTorch のモジュール全体</translation>
        </message>
        <message>
            <source>the book's pickle (.pkl)</source>
            <translation>本の pickle (.pkl)</translation>
        </message>
        <message>
            <source>Valid ppl</source>
            <translation>検証 ppl</translation>
        </message>
        <message>
            <source>Valid loss</source>
            <translation>検証損失</translation>
        </message>
        <message>
            <source>Test ppl</source>
            <translation>テスト ppl</translation>
        </message>
        <message>
            <source>Test loss</source>
            <translation>テスト損失</translation>
        </message>
        <message>
            <source>Valid accuracy</source>
            <translation>検証正解率</translation>
        </message>
        <message>
            <source>Test accuracy</source>
            <translation>テスト正解率</translation>
        </message>
        <message>
            <source>Epochs</source>
            <translation>エポック数</translation>
        </message>
        <message>
            <source>Best epoch</source>
            <translation>最良エポック</translation>
        </message>
        <message>
            <source>Evaluated</source>
            <translation>評価方法</translation>
        </message>
        <message>
            <source>Trained for</source>
            <translation>学習時間</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>名前</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>セル</translation>
        </message>
        <message>
            <source>Layers</source>
            <translation>層数</translation>
        </message>
        <message>
            <source>Hidden units</source>
            <translation>隠れユニット</translation>
        </message>
        <message>
            <source>Embedding</source>
            <translation>埋め込み</translation>
        </message>
        <message>
            <source>Vocabulary</source>
            <translation>語彙</translation>
        </message>
        <message>
            <source>Format</source>
            <translation>形式</translation>
        </message>
        <message>
            <source>Recurrent form</source>
            <translation>再帰形式</translation>
        </message>
        <message>
            <source>Word order</source>
            <translation>語順</translation>
        </message>
        <message>
            <source>Direction</source>
            <translation>方向</translation>
        </message>
        <message>
            <source>Task</source>
            <translation>タスク</translation>
        </message>
        <message>
            <source>File</source>
            <translation>ファイル</translation>
        </message>
        <message>
            <source>Provenance</source>
            <translation>由来</translation>
        </message>
        <message>
            <source>Command</source>
            <translation>コマンド</translation>
        </message>
        <message>
            <source>Class counts</source>
            <translation>クラスごとの件数</translation>
        </message>
        <message>
            <source>Input</source>
            <translation>入力</translation>
        </message>
        <message>
            <source>Data</source>
            <translation>データ</translation>
        </message>
        <message>
            <source>Data command</source>
            <translation>データ作成</translation>
        </message>
        <message>
            <source>Data path</source>
            <translation>データパス</translation>
        </message>
        <message>
            <source>Schedule</source>
            <translation>スケジュール</translation>
        </message>
        <message>
            <source>Seed</source>
            <translation>乱数シード</translation>
        </message>
        <message>
            <source>Torch version</source>
            <translation>Torch 版</translation>
        </message>
        <message>
            <source>Training</source>
            <translation>学習設定</translation>
        </message>
        <message>
            <source> (“Choose another vocabulary…” below opens it with another)</source>
            <extracomment>Dynamic property of labels that show text a model file recorded (not UI strings).</extracomment>
            <translation>（下の「別の語彙を選ぶ…」で別の語彙を使って開けます）</translation>
        </message>
        <message>
            <source>the vocabulary you chose was not needed</source>
            <translation>選んだ語彙は不要でした</translation>
        </message>
        <message>
            <source>a corpus file</source>
            <translation>コーパスファイル</translation>
        </message>
        <message>
            <source>a vocabulary file</source>
            <translation>語彙ファイル</translation>
        </message>
        <message>
            <source>{0} h</source>
            <translation>{0} 時間</translation>
        </message>
        <message>
            <source>{0} min</source>
            <translation>{0} 分</translation>
        </message>
        <message>
            <source>{0} s</source>
            <translation>{0} 秒</translation>
        </message>
        <message>
            <source>{0} characters</source>
            <translation>{0} 文字</translation>
        </message>
        <message>
            <source>{0} words</source>
            <translation>{0} 語</translation>
        </message>
        <message>
            <source>{0} per layer</source>
            <translation>各層 {0}</translation>
        </message>
        <message>
            <source>{0} (tied to output)</source>
            <translation>{0}（出力と重み共有）</translation>
        </message>
        <message>
            <source>ignored inside its window of {0} words: the next word is predicted from their average, so any order of the same {0} words gives the same prediction</source>
            <translation>{0} 語の窓の中では無視: 次の単語はそれらの平均から予測するので、同じ {0} 語ならどの順でも同じ予測になる</translation>
        </message>
        <message>
            <source>backward: reads the text right to left and predicts the previous word</source>
            <translation>逆方向: テキストを右から左へ読み、前の単語を予測する</translation>
        </message>
        <message>
            <source>bidirectional: a forward and a reverse RNN in each layer, so every step's state depends on the whole text</source>
            <translation>双方向: 各層に順方向と逆方向の RNN があり、各ステップの状態はテキスト全体に依存する</translation>
        </message>
        <message>
            <source>classifier: {0} classes ({1})</source>
            <translation>分類器: {0} クラス（{1}）</translation>
        </message>
        <message>
            <source>validation accuracy per epoch: {0}</source>
            <translation>エポックごとの検証正解率: {0}</translation>
        </message>
        <message>
            <source>validation perplexity per epoch: {0}</source>
            <translation>エポックごとの検証パープレキシティ: {0}</translation>
        </message>
        <message>
            <source>epoch</source>
            <translation>エポック</translation>
        </message>
        <message>
            <source>train loss</source>
            <translation>訓練損失</translation>
        </message>
        <message>
            <source>valid ppl</source>
            <translation>検証 ppl</translation>
        </message>
        <message>
            <source>valid acc</source>
            <translation>検証正解率</translation>
        </message>
        <message>
            <source>Choose another vocabulary…</source>
            <translation>別の語彙を選ぶ…</translation>
        </message>
        <message>
            <source>Open this model file again with a vocabulary file or corpus of your choice</source>
            <translation>選んだ語彙ファイルかコーパスでこのモデルファイルを開き直す</translation>
        </message>
        <message>
            <source>No model loaded</source>
            <translation>モデルが読み込まれていません</translation>
        </message>
        <message>
            <source>{0}:</source>
            <translation>{0}:</translation>
        </message>
        <message>
            <source>&lt;b&gt;Notes&lt;/b&gt;</source>
            <translation>&lt;b&gt;注記&lt;/b&gt;</translation>
        </message>
        <message>
            <source>&lt;b&gt;Validation accuracy per epoch&lt;/b&gt;</source>
            <translation>&lt;b&gt;エポックごとの検証正解率&lt;/b&gt;</translation>
        </message>
        <message>
            <source>&lt;b&gt;Validation perplexity per epoch&lt;/b&gt;</source>
            <translation>&lt;b&gt;エポックごとの検証パープレキシティ&lt;/b&gt;</translation>
        </message>
    </context>
    <context>
        <name>ModelsMenu</name>
        <message>
            <source>&amp;Models</source>
            <translation>モデル(&amp;M)</translation>
        </message>
        <message>
            <source>&amp;Compare with…</source>
            <translation>比較するモデルを開く(&amp;C)…</translation>
        </message>
        <message>
            <source>Open another model beside the current ones: every view shows all models on the same text</source>
            <translation>今のモデルの横に別のモデルを開く: どのビューも同じ文ですべてのモデルを表示します</translation>
        </message>
        <message>
            <source>Open &amp;bundled model</source>
            <translation>同梱モデルを開く(&amp;B)</translation>
        </message>
        <message>
            <source>&amp;Add bundled model beside</source>
            <translation>同梱モデルを横に追加(&amp;A)</translation>
        </message>
        <message>
            <source>C&amp;lose model</source>
            <translation>モデルを閉じる(&amp;L)</translation>
        </message>
    </context>
    <context>
        <name>Refusal</name>
        <message>
            <source>what-if edits, interventions, attribution and generation work on RNN, LSTM and GRU models; {0} is {1}</source>
            <translation>もしもの編集・介入・寄与分析・生成は RNN・LSTM・GRU モデルで動作します。{0} は{1}です</translation>
        </message>
        <message>
            <source>memory curves work on RNN, LSTM, GRU and RWKV language models; {0} is {1}</source>
            <translation>記憶曲線は RNN・LSTM・GRU・RWKV の言語モデルで動作します。{0} は{1}です</translation>
        </message>
        <message>
            <source>a classifier</source>
            <translation>分類器</translation>
        </message>
        <message>
            <source>a bidirectional model</source>
            <translation>双方向モデル</translation>
        </message>
        <message>
            <source>a CBOW model</source>
            <translation>CBOW モデル</translation>
        </message>
        <message>
            <source>an RWKV model</source>
            <translation>RWKV モデル</translation>
        </message>
    </context>
    <context>
        <name>RwkvStatePanel</name>
        <message>
            <source>The trainer runs this model over a whole window at once (time-parallel); here it is stepped one token at a time. Both give the same logits (checked to 1e-5 in the tests).</source>
            <translation>学習ではこのモデルを窓全体に一度に（時間方向に並列で）適用します。ここでは 1 トークンずつ進めます。どちらも同じロジットになります（テストで 1e-5 まで確認）。</translation>
        </message>
        <message>
            <source>layer </source>
            <translation>層 </translation>
        </message>
        <message>
            <source>Open an RWKV-4 or RWKV-7 model to see its recurrent state.</source>
            <translation>RWKV-4 か RWKV-7 のモデルを開くと、その再帰状態が表示されます。</translation>
        </message>
        <message>
            <source>Type a text to run the model.</source>
            <translation>文を入力するとモデルを実行します。</translation>
        </message>
        <message>
            <source>token, read →</source>
            <translation>トークン →</translation>
        </message>
        <message>
            <source>RWKV-4, layer {0}: a/b of each channel after each step, the decayed average of past values v. {1}</source>
            <translation>RWKV-4、第{0}層: 各ステップ後の各チャネルの a/b（過去の値 v の減衰付き平均）。{1}</translation>
        </message>
        <message>
            <source>a / b  (channel x step)</source>
            <translation>a / b（チャネル x ステップ）</translation>
        </message>
        <message>
            <source>channel</source>
            <translation>チャネル</translation>
        </message>
        <message>
            <source>RWKV-7, layer {0}: each head's state S (value x key) after step {1}; below, the decay w of each channel. {2}</source>
            <translation>RWKV-7、第{0}層: ステップ {1} の後の各ヘッドの状態 S（value x key）。下は各チャネルの減衰 w。{2}</translation>
        </message>
        <message>
            <source>head {0}</source>
            <translation>ヘッド {0}</translation>
        </message>
        <message>
            <source>decay w  (channel x step)</source>
            <translation>減衰 w（チャネル x ステップ）</translation>
        </message>
    </context>
    <context>
        <name>SaliencyLegend</name>
        <message>
            <source>Saliency colour scale: ‖d l_t / d e_s‖, the gradient of the current prediction's loss reaching each earlier input (log scale)</source>
            <translation>顕著性の色の目盛: ‖d l_t / d e_s‖。現在の予測の損失がそれ以前の各入力に届く勾配（対数目盛）</translation>
        </message>
    </context>
    <context>
        <name>SentenceBar</name>
        <message>
            <source>Type a sentence and press Enter</source>
            <translation>文を入力して Enter</translation>
        </message>
        <message>
            <source>Enter runs the sentence from the first word (Ctrl+L comes here)</source>
            <translation>Enter で最初の単語から文を実行（Ctrl+L でここへ）</translation>
        </message>
        <message>
            <source>Run</source>
            <translation>実行</translation>
        </message>
        <message>
            <source>Tokenize the sentence and start again at step 1 (Enter)</source>
            <translation>文をトークン化してステップ 1 からやり直す（Enter）</translation>
        </message>
        <message>
            <source>Pick an example sentence</source>
            <translation>例文を選ぶ</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>キャンセル</translation>
        </message>
        <message>
            <source>Stop running the long text (the previous one stays)</source>
            <translation>長いテキストの実行を止める（前のテキストのまま）</translation>
        </message>
        <message>
            <source>Sentence:</source>
            <translation>文:</translation>
        </message>
        <message>
            <source>\n is a newline, \t a tab, \\ a backslash</source>
            <translation>\n は改行、\t はタブ、\\ はバックスラッシュ</translation>
        </message>
        <message>
            <source>Text (\n = newline):</source>
            <translation>テキスト（\n = 改行）:</translation>
        </message>
        <message>
            <source>Type text and press Enter ({0})</source>
            <translation>テキストを入力して Enter（{0}）</translation>
        </message>
        <message>
            <source>Enter runs the text from the first character; {0} (Ctrl+L comes here)</source>
            <translation>Enter で最初の文字からテキストを実行。{0}（Ctrl+L でここへ）</translation>
        </message>
        <message>
            <source>Examples…</source>
            <translation>例文…</translation>
        </message>
        <message>
            <source>Opens {0}</source>
            <translation>{0} を開きます</translation>
        </message>
        <message>
            <source>Running {0} characters…</source>
            <translation>{0} 文字を実行中…</translation>
        </message>
        <message>
            <source>the model changed while the text ran: press Enter again</source>
            <translation>実行中にモデルが変わりました: もう一度 Enter を押してください</translation>
        </message>
    </context>
    <context>
        <name>SessionActions</name>
        <message>
            <source>rnnviz session (*.rnnviz.json)</source>
            <translation>rnnviz セッション (*.rnnviz.json)</translation>
        </message>
        <message>
            <source>Save session</source>
            <translation>セッションを保存</translation>
        </message>
        <message>
            <source>Cannot save session</source>
            <translation>セッションを保存できません</translation>
        </message>
        <message>
            <source>Saved session {0}</source>
            <translation>セッション {0} を保存しました</translation>
        </message>
        <message>
            <source>Open session</source>
            <translation>セッションを開く</translation>
        </message>
        <message>
            <source>Opening session {0}…</source>
            <translation>セッション {0} を開いています…</translation>
        </message>
        <message>
            <source>Opened session {0}</source>
            <translation>セッション {0} を開きました</translation>
        </message>
        <message>
            <source>Cannot open session</source>
            <translation>セッションを開けません</translation>
        </message>
    </context>
    <context>
        <name>SoftmaxView</name>
        <message>
            <source>end of text: differentiating the model's own top prediction {0} ({1})</source>
            <translation>テキストの終わり: モデル自身の 1 位の予測 {0} を微分（{1}）</translation>
        </message>
        <message>
            <source>traced character</source>
            <translation>追跡中の文字</translation>
        </message>
        <message>
            <source>next character</source>
            <translation>次の文字</translation>
        </message>
        <message>
            <source>traced word</source>
            <translation>追跡中の単語</translation>
        </message>
        <message>
            <source>next word</source>
            <translation>次の単語</translation>
        </message>
        <message>
            <source>{0} {1}: rank {2}, {3}</source>
            <translation>{0} {1}: {2} 位、{3}</translation>
        </message>
        <message>
            <source>traced class</source>
            <translation>追跡中のクラス</translation>
        </message>
        <message>
            <source>decision if the text ended here</source>
            <translation>テキストがここで終わるときの判定</translation>
        </message>
        <message>
            <source>{0} {1} ({2})</source>
            <translation>{0} {1}（{2}）</translation>
        </message>
        <message>
            <source>start of text: differentiating the model's own top prediction {0} ({1})</source>
            <translation>テキストの先頭: モデル自身の 1 位の予測 {0} を微分（{1}）</translation>
        </message>
        <message>
            <source>previous character</source>
            <translation>前の文字</translation>
        </message>
        <message>
            <source>previous word</source>
            <translation>前の単語</translation>
        </message>
        <message>
            <source>top </source>
            <translation>上位 </translation>
        </message>
        <message>
            <source>How many of the most probable next tokens to show (a long list scrolls)</source>
            <translation>表示する、確率の高い次のトークンの数（長い一覧はスクロール）</translation>
        </message>
        <message>
            <source>Next word</source>
            <translation>次の単語</translation>
        </message>
        <message>
            <source>Click a bar to trace the loss of that word in the gradient view; right-click to continue the text with it</source>
            <translation>棒をクリックするとその単語の損失を勾配ビューで追跡。右クリックでその単語でテキストを続ける</translation>
        </message>
        <message>
            <source>probability</source>
            <translation>確率</translation>
        </message>
        <message>
            <source>Click a bar to trace the loss of that class in the gradient view</source>
            <translation>棒をクリックするとそのクラスの損失を勾配ビューで追跡</translation>
        </message>
        <message>
            <source>Click a bar to trace the loss of that word (as the previous word) in the gradient view</source>
            <translation>棒をクリックするとその単語の損失（前の単語として）を勾配ビューで追跡</translation>
        </message>
        <message>
            <source>if the text ended after {0} (step {1} of {2})</source>
            <translation>{0} で終わるなら（ステップ {1} / {2}）</translation>
        </message>
        <message>
            <source>Class</source>
            <translation>クラス</translation>
        </message>
        <message>
            <source>Previous character</source>
            <translation>前の文字</translation>
        </message>
        <message>
            <source>Previous word</source>
            <translation>前の単語</translation>
        </message>
        <message>
            <source>Next character</source>
            <translation>次の文字</translation>
        </message>
        <message>
            <source>after {0} (step {1} of {2})</source>
            <translation>{0} の後（ステップ {1} / {2}）</translation>
        </message>
    </context>
    <context>
        <name>StepNumbers</name>
        <message>
            <source>layer </source>
            <translation>層 </translation>
        </message>
        <message>
            <source>unit </source>
            <translation>ユニット </translation>
        </message>
        <message>
            <source>Clicking a heatmap row selects a unit too</source>
            <translation>ヒートマップの行をクリックしてもユニットを選べます</translation>
        </message>
        <message>
            <source>step {0}, token “{1}”, layer {2}:</source>
            <translation>ステップ {0}、トークン「{1}」、第{2}層:</translation>
        </message>
    </context>
    <context>
        <name>TokenChips</name>
        <message>
            <source>step {0}: “{1}” (id {2})</source>
            <translation>ステップ {0}: “{1}”（id {2}）</translation>
        </message>
        <message>
            <source>saliency ‖d l/d e‖ = {0}</source>
            <translation>顕著性 ‖d l/d e‖ = {0}</translation>
        </message>
        <message>
            <source>out of vocabulary: you typed “{0}”; the model sees “{1}”</source>
            <translation>語彙外: 入力は “{0}”、モデルには “{1}” と見えます</translation>
        </message>
    </context>
    <context>
        <name>TokenMenu</name>
        <message>
            <source>Word:</source>
            <translation>単語:</translation>
        </message>
        <message>
            <source>Insert before “{0}”</source>
            <translation>“{0}” の前に挿入</translation>
        </message>
        <message>
            <source>Replace “{0}”</source>
            <translation>“{0}” を置き換える</translation>
        </message>
        <message>
            <source>Replace with</source>
            <translation>置き換え</translation>
        </message>
        <message>
            <source>A word…</source>
            <translation>単語を入力…</translation>
        </message>
        <message>
            <source>The model's top guesses here</source>
            <translation>この位置でのモデルの上位の予測</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>削除</translation>
        </message>
        <message>
            <source>Insert before…</source>
            <translation>前に挿入…</translation>
        </message>
        <message>
            <source>Swap with</source>
            <translation>入れ替え</translation>
        </message>
        <message>
            <source>Swap the two words in the text: every model runs the new order</source>
            <translation>テキストの 2 つの単語を入れ替える: すべてのモデルが新しい語順で実行する</translation>
        </message>
        <message>
            <source>Trace the loss of “{0}”</source>
            <translation>“{0}” の損失を追跡</translation>
        </message>
        <message>
            <source>Continue with this word</source>
            <translation>この単語で続ける</translation>
        </message>
    </context>
    <context>
        <name>TokenStrip</name>
        <message>
            <source>Colour by saliency</source>
            <translation>顕著性で色分け</translation>
        </message>
        <message>
            <source>Tint earlier tokens by how strongly the current prediction's loss depends on them (input-gradient norm, log scale)</source>
            <translation>現在の予測の損失がそれ以前の各トークンにどれだけ依存するかで色を付ける（入力勾配のノルム、対数目盛）</translation>
        </message>
        <message>
            <source>Click a word to jump there. Dashed, italic words are not in the model's vocabulary (hover to see what you typed).</source>
            <translation>単語をクリックするとそこへ移動。破線・斜体の単語はモデルの語彙にありません（マウスを重ねると入力した語を表示）。</translation>
        </message>
        <message>
            <source>Right-click a word to replace, delete or insert one before it in the What if tab</source>
            <translation>単語を右クリックすると、もしもタブで置き換え・削除・前への挿入ができます</translation>
        </message>
    </context>
    <context>
        <name>TracedWordBox</name>
        <message>
            <source>trace another word…</source>
            <translation>別の単語を追跡…</translation>
        </message>
        <message>
            <source>Type a word and press Enter: the gradients then trace the loss of that word as the next word at the current step (clicking a bar of the next-word chart does the same)</source>
            <translation>単語を入力して Enter: 勾配は、現在のステップでその単語を次の単語としたときの損失を追跡します（次の単語のグラフの棒をクリックしても同じ）</translation>
        </message>
        <message>
            <source>true next word</source>
            <translation>正解の次の単語</translation>
        </message>
        <message>
            <source>Trace the true next word again (at the last step: the top guess)</source>
            <translation>再び正解の次の単語を追跡する（最後のステップでは最上位の予測）</translation>
        </message>
        <message>
            <source>Tracing the loss of the predicted class</source>
            <translation>予測したクラスの損失を追跡中</translation>
        </message>
        <message>
            <source>predicted class</source>
            <translation>予測したクラス</translation>
        </message>
        <message>
            <source>trace a class…</source>
            <translation>クラスを追跡…</translation>
        </message>
        <message>
            <source>Tracing the loss of the true previous word</source>
            <translation>正解の前の単語の損失を追跡中</translation>
        </message>
        <message>
            <source>true previous word</source>
            <translation>正解の前の単語</translation>
        </message>
        <message>
            <source>Tracing the loss of the true next word</source>
            <translation>正解の次の単語の損失を追跡中</translation>
        </message>
        <message>
            <source>Tracing p({0}) here</source>
            <translation>ここで p({0}) を追跡中</translation>
        </message>
        <message>
            <source>Tracing p({0}) at step {1}</source>
            <translation>ステップ {1} で p({0}) を追跡中</translation>
        </message>
        <message>
            <source>(not for every model: hover)</source>
            <translation>（一部のモデルのみ: マウスを重ねて確認）</translation>
        </message>
    </context>
    <context>
        <name>Transport</name>
        <message>
            <source>First token (Home)</source>
            <translation>最初のトークン（Home）</translation>
        </message>
        <message>
            <source>Back one token (Left)</source>
            <translation>1 トークン戻る（←）</translation>
        </message>
        <message>
            <source>Play / pause (Space)</source>
            <translation>再生 / 一時停止（Space）</translation>
        </message>
        <message>
            <source>Forward one token (Right)</source>
            <translation>1 トークン進む（→）</translation>
        </message>
        <message>
            <source>Last token (End)</source>
            <translation>最後のトークン（End）</translation>
        </message>
        <message>
            <source>Play</source>
            <translation>再生</translation>
        </message>
        <message>
            <source> steps/s</source>
            <translation> ステップ/秒</translation>
        </message>
        <message>
            <source>Playback speed</source>
            <translation>再生速度</translation>
        </message>
        <message>
            <source>Speed</source>
            <translation>速度</translation>
        </message>
        <message>
            <source>Pause</source>
            <translation>一時停止</translation>
        </message>
    </context>
    <context>
        <name>UnitAttributionView</name>
        <message>
            <source>word (default: the traced next word)</source>
            <translation>単語（既定: 追跡中の次の単語）</translation>
        </message>
        <message>
            <source>contrast word (optional)</source>
            <translation>比較する単語（任意）</translation>
        </message>
        <message>
            <source>Layer whose units are ablated one at a time at the cursor</source>
            <translation>カーソルの時刻でユニットを 1 つずつ除去（ゼロに）する層</translation>
        </message>
        <message>
            <source>logit of</source>
            <translation>ロジット:</translation>
        </message>
        <message>
            <source>minus</source>
            <translation>引く</translation>
        </message>
        <message>
            <source>ablation effect in</source>
            <translation>除去の効果:</translation>
        </message>
        <message>
            <source>unit</source>
            <translation>ユニット</translation>
        </message>
        <message>
            <source>layer {0}</source>
            <translation>第{0}層</translation>
        </message>
        <message>
            <source>top-layer units → logit {0}</source>
            <translation>最上層のユニット → ロジット {0}</translation>
        </message>
        <message>
            <source>after {0} (step {1}): logit {2} = {3} = Σ units {4} + bias {5}. Click a bar to select the unit.</source>
            <translation>{0} の後（ステップ {1}）: ロジット {2} = {3} = Σ ユニット {4} + バイアス {5}。棒をクリックするとユニットを選べます。</translation>
        </message>
        <message>
            <source>Δ log p({0}) when a layer {1} unit is ablated here alone</source>
            <translation>第{1}層のユニットをここで 1 つだけ除去したときの Δ log p({0})</translation>
        </message>
    </context>
    <context>
        <name>UnitInspector</name>
        <message>
            <source>depth</source>
            <translation>深さ</translation>
        </message>
        <message>
            <source>quote</source>
            <translation>引用</translation>
        </message>
        <message>
            <source>line-position</source>
            <translation>行内の位置</translation>
        </message>
        <message>
            <source>sentence-position</source>
            <translation>文内の位置</translation>
        </message>
        <message>
            <source>number</source>
            <translation>数字</translation>
        </message>
        <message>
            <source>layer </source>
            <translation>層 </translation>
        </message>
        <message>
            <source>unit </source>
            <translation>ユニット </translation>
        </message>
        <message>
            <source>Pin</source>
            <translation>ピン留め</translation>
        </message>
        <message>
            <source>Keep this unit as a row under the text</source>
            <translation>このユニットを文の下に 1 行として残す</translation>
        </message>
        <message>
            <source>Corpus…</source>
            <translation>コーパス…</translation>
        </message>
        <message>
            <source>Text file to index: PTB-style lines for word models, any text for character models</source>
            <translation>索引付けするテキストファイル: 単語モデルには PTB 形式の行、文字モデルには任意のテキスト</translation>
        </message>
        <message>
            <source>index %p%</source>
            <translation>索引 %p%</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>キャンセル</translation>
        </message>
        <message>
            <source>Unit</source>
            <translation>ユニット</translation>
        </message>
        <message>
            <source>step</source>
            <translation>ステップ</translation>
        </message>
        <message>
            <source>value over the corpus</source>
            <translation>コーパス全体での値</translation>
        </message>
        <message>
            <source>no corpus indexed yet</source>
            <translation>コーパスの索引はまだありません</translation>
        </message>
        <message>
            <source>Top contexts</source>
            <translation>上位の文脈</translation>
        </message>
        <message>
            <source>Find units</source>
            <translation>ユニットを探す</translation>
        </message>
        <message>
            <source>A built-in label, regex:PATTERN or file:PATH (one value per corpus token); drawn as a grey track on the step plot</source>
            <translation>組み込みのラベル、regex:PATTERN または file:PATH（コーパスのトークンごとに 1 つの値）。ステップのグラフに灰色の線で描きます</translation>
        </message>
        <message>
            <source>label</source>
            <translation>ラベル</translation>
        </message>
        <message>
            <source>layer {0}, {1} unit {2}</source>
            <translation>第{0}層 {1} ユニット {2}</translation>
        </message>
        <message>
            <source>&lt;i&gt;Open a model and type a text.&lt;/i&gt;</source>
            <translation>&lt;i&gt;モデルを開いて文を入力してください。&lt;/i&gt;</translation>
        </message>
        <message>
            <source>grey: label '{0}' (Find units), scaled</source>
            <translation>灰色: ラベル '{0}'（ユニットを探す）、拡大縮小</translation>
        </message>
        <message>
            <source>&lt;i&gt;Index a corpus first.&lt;/i&gt;</source>
            <translation>&lt;i&gt;先にコーパスを索引付けしてください。&lt;/i&gt;</translation>
        </message>
        <message>
            <source>&lt;i&gt;ranking units by |r| with {0}…&lt;/i&gt;</source>
            <translation>&lt;i&gt;{0} との |r| でユニットを順位付け中…&lt;/i&gt;</translation>
        </message>
        <message>
            <source>&lt;b&gt;{0}&lt;/b&gt;: {1} units by |r| (accuracy: one-unit threshold, last 20% of the corpus)</source>
            <translation>&lt;b&gt;{0}&lt;/b&gt;: |r| の大きい順に {1} 個のユニット（正解率: 1 ユニットのしきい値、コーパスの末尾 20%）</translation>
        </message>
        <message>
            <source>, accuracy {0}</source>
            <translation>、正解率 {0}</translation>
        </message>
        <message>
            <source>{0} of model {1} = {2} at step {3}</source>
            <translation>モデル {1} の{0} = {2}（ステップ {3}）</translation>
        </message>
        <message>
            <source>{0} of model {1}</source>
            <translation>モデル {1} の{0}</translation>
        </message>
        <message>
            <source>(model {0})</source>
            <translation>（モデル {0}）</translation>
        </message>
        <message>
            <source>&lt;i&gt;Pinned units appear here, one row each.&lt;/i&gt;</source>
            <translation>&lt;i&gt;ピン留めしたユニットがここに 1 行ずつ表示されます。&lt;/i&gt;</translation>
        </message>
        <message>
            <source>No corpus yet: choose one with Corpus… (e.g. ptb.valid.txt)</source>
            <translation>コーパスがまだありません: 「コーパス…」で選んでください（例: ptb.valid.txt）</translation>
        </message>
        <message>
            <source>Corpus to index</source>
            <translation>索引付けするコーパス</translation>
        </message>
        <message>
            <source>Text (*.txt);;All files (*)</source>
            <translation>テキスト (*.txt);;すべてのファイル (*)</translation>
        </message>
        <message>
            <source>cannot index {0}: {1}</source>
            <translation>{0} を索引付けできません: {1}</translation>
        </message>
        <message>
            <source>indexing cancelled</source>
            <translation>索引付けを取り消しました</translation>
        </message>
        <message>
            <source>&lt;i&gt;Top contexts appear once the corpus is indexed.&lt;/i&gt;</source>
            <translation>&lt;i&gt;コーパスの索引ができると上位の文脈が表示されます。&lt;/i&gt;</translation>
        </message>
        <message>
            <source>&lt;b&gt;Highest&lt;/b&gt; in {0} ({1} tokens)</source>
            <translation>&lt;b&gt;最も高い&lt;/b&gt;: {0}（{1} トークン）</translation>
        </message>
        <message>
            <source>&lt;b&gt;Lowest&lt;/b&gt;</source>
            <translation>&lt;b&gt;最も低い&lt;/b&gt;</translation>
        </message>
        <message>
            <source>&lt;i&gt;(near a stream boundary)&lt;/i&gt;</source>
            <translation>&lt;i&gt;（ストリームの境界の近く）&lt;/i&gt;</translation>
        </message>
    </context>
    <context>
        <name>VanishingView</name>
        <message>
            <source>The gradient at distance d is at most the product of the d step-Jacobian norms: ||dl_t/ds_(t-d)|| &lt;= ||dl_t/ds_t|| x ||J_t|| x ... x ||J_(t-d+1)|| (top layer; s = h, or (h, c) for the LSTM). Norms above 1 allow growth but do not force it: where the true curve falls far below the bound, the gradient does not line up with the directions a step stretches.</source>
            <translation>距離 d の勾配は、d 個のステップのヤコビ行列のノルムの積以下です: ||dl_t/ds_(t-d)|| &lt;= ||dl_t/ds_t|| x ||J_t|| x ... x ||J_(t-d+1)||（最上層。s = h、LSTM では (h, c)）。ノルムが 1 を超えると増大しうるが、必ず増大するわけではありません。実際の曲線が上界よりずっと下にあるところでは、勾配がそのステップの引き伸ばす方向にそろっていません。</translation>
        </message>
        <message>
            <source>step Jacobian norm</source>
            <translation>ヤコビ行列のノルム</translation>
        </message>
        <message>
            <source>||J_t||_2</source>
            <translation>||J_t||_2</translation>
        </message>
        <message>
            <source>step t</source>
            <translation>時刻 t</translation>
        </message>
        <message>
            <source>LSTM forget gates: mean f, prod f</source>
            <translation>LSTM の忘却ゲート: f の平均と積</translation>
        </message>
        <message>
            <source>gradient (solid), bound (dotted)</source>
            <translation>勾配（実線）と上界（点線）</translation>
        </message>
        <message>
            <source>d: steps back from the cursor</source>
            <translation>d: カーソルからさかのぼるステップ数</translation>
        </message>
        <message>
            <source>no LSTM open:
forget gates are an LSTM's</source>
            <translation>LSTM が開かれていません:
忘却ゲートは LSTM のものです</translation>
        </message>
        <message>
            <source>thin: lower layers</source>
            <translation>細線: 下の層</translation>
        </message>
        <message>
            <source>mean f (solid), mean prod f (dashed)</source>
            <translation>f の平均（実線）、f の積の平均（破線）</translation>
        </message>
        <message>
            <source>top layer ||dl_t/ds_(t-d)|| (log)</source>
            <translation>最上層の ||dl_t/ds_(t-d)||（対数）</translation>
        </message>
        <message>
            <source>forget-gate product since step </source>
            <translation>忘却ゲートの積、開始ステップ </translation>
        </message>
        <message>
            <source>prod_(u = s+1..t) f_u: how much of the cell state at step s the forget gates alone keep until step t</source>
            <translation>prod_(u = s+1..t) f_u: ステップ s の記憶セルのうち、忘却ゲートだけでステップ t まで残る割合</translation>
        </message>
        <message>
            <source>computing step Jacobians…</source>
            <translation>ステップのヤコビ行列を計算中…</translation>
        </message>
        <message>
            <source>not drawn: {0} (step Jacobians are for one-way RNN, LSTM and GRU nets)</source>
            <translation>描画なし: {0}（ステップのヤコビ行列は一方向の RNN・LSTM・GRU のみ）</translation>
        </message>
    </context>
    <context>
        <name>VocabDialog</name>
        <message>
            <source>Models (*.safetensors *.pt *.pth *.pkl *.bin);;rnnviz (*.safetensors);;PyTorch (*.pt *.pth);;The book's pickles (*.pkl);;All files (*)</source>
            <translation>モデル (*.safetensors *.pt *.pth *.pkl *.bin);;rnnviz (*.safetensors);;PyTorch (*.pt *.pth);;本の pickle (*.pkl);;すべてのファイル (*)</translation>
        </message>
        <message>
            <source>Open model</source>
            <translation>モデルを開く</translation>
        </message>
        <message>
            <source>Vocabulary needed</source>
            <translation>語彙が必要です</translation>
        </message>
        <message>
            <source>train, valid, test in that order</source>
            <translation>train, valid, test の順</translation>
        </message>
        <message>
            <source>as the file says (tanh if it cannot tell)</source>
            <translation>ファイルの記載どおり（不明なら tanh）</translation>
        </message>
        <message>
            <source>as the file says, else inferred from the vocabulary</source>
            <translation>ファイルの記載どおり、なければ語彙から推定</translation>
        </message>
        <message>
            <source>PTB rules (ptb)</source>
            <translation>PTB の規則 (ptb)</translation>
        </message>
        <message>
            <source>the vocabulary's own spellings, wikitext style (words)</source>
            <translation>語彙そのままの綴り、wikitext 形式 (words)</translation>
        </message>
        <message>
            <source>characters (char)</source>
            <translation>文字 (char)</translation>
        </message>
        <message>
            <source>e.g. neg, pos (in fc's output order)</source>
            <translation>例: neg, pos（fc の出力の順）</translation>
        </message>
        <message>
            <source>For a classifier (an RNN and a Linear fc): the class names, comma-separated. PyTorch files carry none; without them the classes are 'class 0', 'class 1', ...</source>
            <translation>分類器（RNN と線形層 fc）のクラス名をカンマ区切りで。PyTorch のファイルはクラス名を持たないので、指定しなければ 'class 0', 'class 1', ... になります</translation>
        </message>
        <message>
            <source>as the file says, else the last step's output</source>
            <translation>ファイルの指定どおり（なければ最後のステップの出力）</translation>
        </message>
        <message>
            <source>the last step's output, out[:, -1, :] (SampleRNN)</source>
            <translation>最後のステップの出力 out[:, -1, :]（SampleRNN）</translation>
        </message>
        <message>
            <source>both directions' final states h_n</source>
            <translation>両方向の最終状態 h_n</translation>
        </message>
        <message>
            <source>What a bidirectional classifier's fc reads; a state_dict cannot tell. For one direction both are the same.</source>
            <translation>双方向の分類器の fc が何を読むか（state_dict からは分かりません）。一方向なら両者は同じです</translation>
        </message>
        <message>
            <source>Vocabulary file (one token a line, the book's .pkl; for RWKV rwkv_vocab_v20230424.txt or tokenizer.json)</source>
            <translation>語彙ファイル（1 行 1 トークン、本の .pkl。RWKV には rwkv_vocab_v20230424.txt か tokenizer.json）</translation>
        </message>
        <message>
            <source>Build from corpus files</source>
            <translation>コーパスファイルから作る</translation>
        </message>
        <message>
            <source>The bundled PTB vocabulary (10,000 words, the book's order)</source>
            <translation>同梱の PTB 語彙（10,000 語、本と同じ順）</translation>
        </message>
        <message>
            <source>&lt;b&gt;{0}&lt;/b&gt; does not say which word each output is.&lt;br&gt;{1}</source>
            <translation>&lt;b&gt;{0}&lt;/b&gt; には、各出力がどの単語かが書かれていません。&lt;br&gt;{1}</translation>
        </message>
        <message>
            <source>RNN nonlinearity:</source>
            <translation>RNN の活性化関数:</translation>
        </message>
        <message>
            <source>Class names (classifiers):</source>
            <translation>クラス名（分類器）:</translation>
        </message>
        <message>
            <source>Classifier's fc reads:</source>
            <translation>分類器の fc の入力:</translation>
        </message>
        <message>
            <source>Tokenizer:</source>
            <translation>トークナイザ:</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>参照…</translation>
        </message>
        <message>
            <source>Vocabularies (*.txt *.vocab *.json *.pkl);;All files (*)</source>
            <translation>語彙 (*.txt *.vocab *.json *.pkl);;すべてのファイル (*)</translation>
        </message>
        <message>
            <source>Vocabulary file</source>
            <translation>語彙ファイル</translation>
        </message>
        <message>
            <source>Corpus files (train, valid, test)</source>
            <translation>コーパスファイル（train, valid, test）</translation>
        </message>
        <message>
            <source>Text (*.txt);;All files (*)</source>
            <translation>テキスト (*.txt);;すべてのファイル (*)</translation>
        </message>
    </context>
    <context>
        <name>WhatIfView</name>
        <message>
            <source>ablate</source>
            <translation>除去</translation>
        </message>
        <message>
            <source>clamp</source>
            <translation>固定</translation>
        </message>
        <message>
            <source>scale</source>
            <translation>拡大縮小</translation>
        </message>
        <message>
            <source>both</source>
            <translation>両方</translation>
        </message>
        <message>
            <source>Applied after the cell update (h~_s, c~_s) = LSTM(x_s, h_s-1, c_s-1): h_s = m·h~_s + a (c_s alike) feeds the layer above and step s+1.</source>
            <translation>(h~_s, c~_s) = LSTM(x_s, h_s-1, c_s-1) の後に適用: h_s = m·h~_s + a（c_s も同様）を上の層と s+1 へ渡す。</translation>
        </message>
        <message>
            <source>Applied after the cell update h~_s = GRU(x_s, h_s-1): h_s = m·h~_s + a feeds the layer above and step s+1.</source>
            <translation>h~_s = GRU(x_s, h_s-1) の後に適用: h_s = m·h~_s + a を上の層と s+1 へ渡す。</translation>
        </message>
        <message>
            <source>Applied after the cell update h~_s = tanh(W x_s + U h_s-1 + b): h_s = m·h~_s + a feeds the layer above and step s+1.</source>
            <translation>h~_s = tanh(W x_s + U h_s-1 + b) の後に適用: h_s = m·h~_s + a を上の層と s+1 へ渡す。</translation>
        </message>
        <message>
            <source>Edits, interventions and generation here work on RNN, LSTM and GRU models.</source>
            <translation>ここでの編集・介入・生成は RNN、LSTM、GRU のモデルで使えます。</translation>
        </message>
        <message>
            <source>Gradients differentiate the intervened run (w.r.t. h~_s): an ablated or clamped unit passes none back.</source>
            <translation>勾配は介入後の実行を h~_s で微分したもの: 除去・固定したユニットは勾配を逆伝播しない。</translation>
        </message>
        <message>
            <source>Whose runs to show (every model runs the same edit)</source>
            <translation>どのモデルの結果を表示するか（どのモデルも同じ編集で実行されます）</translation>
        </message>
        <message>
            <source>Layer of the Δh heatmap</source>
            <translation>Δh ヒートマップの層</translation>
        </message>
        <message>
            <source>A word typed, &lt;unk&gt;, or one of the model's top guesses for this position</source>
            <translation>入力した単語、&lt;unk&gt;、またはこの位置でのモデルの上位予測の 1 つ</translation>
        </message>
        <message>
            <source>token here:</source>
            <translation>トークン:</translation>
        </message>
        <message>
            <source>Replace</source>
            <translation>置換</translation>
        </message>
        <message>
            <source>Replace the cursor's token</source>
            <translation>カーソル位置のトークンを置き換える</translation>
        </message>
        <message>
            <source>Insert</source>
            <translation>挿入</translation>
        </message>
        <message>
            <source>Insert before the cursor's token</source>
            <translation>カーソル位置のトークンの前に挿入する</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>削除</translation>
        </message>
        <message>
            <source>Delete the cursor's token</source>
            <translation>カーソル位置のトークンを削除する</translation>
        </message>
        <message>
            <source>edited text (Enter runs it beside the original)</source>
            <translation>編集した文（Enter で元の文と並べて実行）</translation>
        </message>
        <message>
            <source>Plain</source>
            <translation>元に戻す</translation>
        </message>
        <message>
            <source>Back to the plain views: no edit, no intervention</source>
            <translation>通常の表示に戻す: 編集も介入もなし</translation>
        </message>
        <message>
            <source>units, e.g. 1:17,1:42</source>
            <translation>例 1:17,1:42</translation>
        </message>
        <message>
            <source>LAYER:UNIT, layers from 1 (nearest the input), units from 0 as the heatmap shows them</source>
            <translation>層:ユニット。層は 1（入力に最も近い層）から、ユニットはヒートマップと同じく 0 から数えます</translation>
        </message>
        <message>
            <source>clamp: the value; scale: the factor</source>
            <translation>固定: その値、拡大縮小: その倍率</translation>
        </message>
        <message>
            <source>+ selected</source>
            <translation>+ 選択中</translation>
        </message>
        <message>
            <source>from step</source>
            <translation>以降</translation>
        </message>
        <message>
            <source>at step</source>
            <translation>のみ</translation>
        </message>
        <message>
            <source>Step numbered from 1, as the token strip shows it</source>
            <translation>ステップはトークン列の表示と同じく 1 から数えます</translation>
        </message>
        <message>
            <source>Also set a layer's whole state to zero at the step</source>
            <translation>そのステップで層の状態全体もゼロにする</translation>
        </message>
        <message>
            <source>Apply</source>
            <translation>適用</translation>
        </message>
        <message>
            <source>Δ log p(true next word)</source>
            <translation>Δ log p（正解の次の単語）</translation>
        </message>
        <message>
            <source>Δ loss per step</source>
            <translation>ステップごとの Δ 損失</translation>
        </message>
        <message>
            <source>Δh (what if − original)</source>
            <translation>Δh（もしも − 元）</translation>
        </message>
        <message>
            <source>gradient of the cursor's loss, top layer</source>
            <translation>カーソルの時刻の損失の勾配（最上層）</translation>
        </message>
        <message>
            <source>original</source>
            <translation>元</translation>
        </message>
        <message>
            <source>what if</source>
            <translation>もしも</translation>
        </message>
        <message>
            <source>no reset</source>
            <translation>リセットなし</translation>
        </message>
        <message>
            <source>reset layer {0}</source>
            <translation>第{0}層をリセット</translation>
        </message>
        <message>
            <source>Add the selected unit ({0}) to the list</source>
            <translation>選択中のユニット（{0}）をリストに追加</translation>
        </message>
        <message>
            <source>Select a unit (Units panel, Help) to add it here</source>
            <translation>ユニットを選ぶと（ユニット・パネル、ヘルプ）ここに追加できます</translation>
        </message>
        <message>
            <source>edited text: {0}</source>
            <translation>編集した文: {0}</translation>
        </message>
        <message>
            <source>clamp to {0}</source>
            <translation>{0} に固定</translation>
        </message>
        <message>
            <source>scale by {0}</source>
            <translation>{0} 倍に拡大縮小</translation>
        </message>
        <message>
            <source>at step {0}</source>
            <translation>ステップ {0} のみ</translation>
        </message>
        <message>
            <source>from step {0} on</source>
            <translation>ステップ {0} 以降</translation>
        </message>
        <message>
            <source>h and c</source>
            <translation>h と c</translation>
        </message>
        <message>
            <source>{0} {1} of unit {2} {3}</source>
            <translation>{3}、ユニット {2} の {1} を{0}</translation>
        </message>
        <message>
            <source>reset layer {0} to zero at step {1}</source>
            <translation>ステップ {1} で第{0}層をゼロにリセット</translation>
        </message>
        <message>
            <source>No edit and no intervention: edit a token or apply units.</source>
            <translation>編集も介入もありません: トークンを編集するか、ユニットに適用してください。</translation>
        </message>
        <message>
            <source>Δh layer {0}</source>
            <translation>Δh 第{0}層</translation>
        </message>
        <message>
            <source>Δh layer {0} (what if − original, ±{1})</source>
            <translation>Δh 第{0}層（もしも − 元、±{1}）</translation>
        </message>
        <message>
            <source>step {0}: after {1}</source>
            <translation>ステップ {0}: {1} の後</translation>
        </message>
        <message>
            <source>next {0}</source>
            <translation>次 {0}</translation>
        </message>
        <message>
            <source>Δ loss {0}</source>
            <translation>Δ 損失 {0}</translation>
        </message>
        <message>
            <source>inserted (no original step)</source>
            <translation>挿入（元のステップなし）</translation>
        </message>
        <message>
            <source>after {0} (step {1})</source>
            <translation>{0} の後（ステップ {1}）</translation>
        </message>
        <message>
            <source>original: {0}   |   what if: {1}</source>
            <translation>元: {0}   |   もしも: {1}</translation>
        </message>
    </context>
    <context>
        <name>export</name>
        <message>
            <source>PNG image (*.png);;PNG image, 2x (*@2x.png);;SVG drawing (*.svg)</source>
            <translation>PNG 画像 (*.png);;PNG 画像 2 倍 (*@2x.png);;SVG 図 (*.svg)</translation>
        </message>
        <message>
            <source>CSV table (*.csv);;NumPy archive (*.npz)</source>
            <translation>CSV 表 (*.csv);;NumPy アーカイブ (*.npz)</translation>
        </message>
        <message>
            <source>cannot write {0}</source>
            <translation>{0} に書き込めません</translation>
        </message>
        <message>
            <source>Export failed</source>
            <translation>書き出しに失敗しました</translation>
        </message>
        <message>
            <source>Save image</source>
            <translation>画像を保存</translation>
        </message>
        <message>
            <source>Export data</source>
            <translation>データを書き出す</translation>
        </message>
        <message>
            <source>Save image…</source>
            <translation>画像を保存…</translation>
        </message>
        <message>
            <source>Copy image</source>
            <translation>画像をコピー</translation>
        </message>
        <message>
            <source>Export data…</source>
            <translation>データを書き出す…</translation>
        </message>
    </context>
    <context>
        <name>panels</name>
        <message>
            <source>Memory</source>
            <translation>記憶</translation>
        </message>
        <message>
            <source>How far back each model's loss still reaches: median gradient norm against distance over a corpus, with the 25-75% band and the memory span of every path</source>
            <translation>各モデルの損失がどこまで過去に届くか: コーパス上の距離ごとの勾配ノルムの中央値と 25-75% の帯、各経路の記憶の長さ</translation>
        </message>
        <message>
            <source>Why it vanishes</source>
            <translation>勾配消失の理由</translation>
        </message>
        <message>
            <source>Each step's Jacobian norm, the LSTM's forget gates, and the bound their product puts on the gradient at the cursor</source>
            <translation>各ステップのヤコビ行列のノルム、LSTM の忘却ゲート、そしてそれらの積がカーソルの時刻の勾配に与える上界</translation>
        </message>
        <message>
            <source>What if</source>
            <translation>もしも</translation>
        </message>
        <message>
            <source>Edit a token or ablate, clamp or scale units, and see the difference: Δ log p of the next words, Δ loss, Δh</source>
            <translation>トークンを編集したり、ユニットを除去・固定・拡大縮小したりして、差を見る: 次の単語の Δ log p、Δ 損失、Δh</translation>
        </message>
        <message>
            <source>Units</source>
            <translation>ユニット</translation>
        </message>
        <message>
            <source>Which units push the next word's logit up or down, and the effect of ablating each unit of a layer; click a bar to select the unit</source>
            <translation>どのユニットが次の単語のロジットを押し上げ・押し下げるか、層の各ユニットを除去したときの効果。棒をクリックするとユニットを選べます</translation>
        </message>
        <message>
            <source>Continue</source>
            <translation>続きを生成</translation>
        </message>
        <message>
            <source>Generate after the text (greedy, sampling, beam search) and pick a branch of the beam tree</source>
            <translation>文の続きを生成し（貪欲法、サンプリング、ビームサーチ）、ビーム木の分岐を選ぶ</translation>
        </message>
        <message>
            <source>Unit inspector</source>
            <translation>ユニット詳細</translation>
        </message>
        <message>
            <source>One unit over the text and a corpus: coloured text, top contexts, pinned units (click a heatmap cell to choose the unit)</source>
            <translation>1 つのユニットを文とコーパスで見る: 色付きの文、上位の文脈、ピン留めしたユニット（ヒートマップのセルをクリックしてユニットを選ぶ）</translation>
        </message>
        <message>
            <source>Select and match</source>
            <translation>選択と照合</translation>
        </message>
        <message>
            <source>Units on over a span of steps, and the corpus passages where they are on together (LSTMVis)</source>
            <translation>ある範囲のステップで活性化しているユニットと、それらが同時に活性化するコーパスの箇所（LSTMVis）</translation>
        </message>
        <message>
            <source>Classes</source>
            <translation>クラス</translation>
        </message>
        <message>
            <source>A classifier's decision over the text: each class's probability if the text ended after each word</source>
            <translation>テキスト全体での分類器の判定: 各単語で終わるとしたときの各クラスの確率</translation>
        </message>
        <message>
            <source>RWKV state</source>
            <translation>RWKV の状態</translation>
        </message>
        <message>
            <source>RWKV-4: the WKV average a/b per channel over steps; RWKV-7: each head's state matrix S at the cursor and the decay w over steps</source>
            <translation>RWKV-4: チャネルごとの WKV 平均 a/b のステップに沿った変化。RWKV-7: カーソルの時刻での各ヘッドの状態行列 S と、減衰 w のステップに沿った変化</translation>
        </message>
        <message>
            <source>Help</source>
            <translation>ヘルプ</translation>
        </message>
        <message>
            <source>Each view, the notation, the cell equations in PyTorch's and the book's form, and one unit's equations with this step's numbers</source>
            <translation>各ビュー、記法、PyTorch と書籍の形式によるセルの式、そして 1 つのユニットの式にこのステップの数値を入れたもの</translation>
        </message>
    </context>
</TS>
