#!/usr/bin/env bash
# Writes N realistic screenshots (1920 x 1080 PNG: a settings-style page rendered by Chromium,
# anti-aliased text, different words in each) into FOLDER. Usage: screenshots-chromium.sh FOLDER N
set -euo pipefail
folder=$1; n=$2
chromium=${CHROMIUM:-/usr/bin/chromium}
words=(printer network queue status offline online driver update account mailbox profile sync
  folder device policy certificate password sign-in security backup restore license adapter)
for i in $(seq 0 $((n - 1))); do
  html="$folder/page-$i.html"
  {
    echo '<!doctype html><meta charset="utf-8"><style>body{margin:0;font:15px "Segoe UI",system-ui,sans-serif;background:#f3f3f3;color:#1b1b1b;display:flex}nav{width:300px;background:#ebebeb;height:100vh;padding:24px 12px;box-sizing:border-box}nav div{padding:10px 14px}main{flex:1;padding:28px 40px}h1{font-size:28px;font-weight:600}.c{background:#fff;border:1px solid #e5e5e5;border-radius:8px;padding:16px 22px;margin:8px 0;display:flex;justify-content:space-between}.s{color:#5c5c5c;font-size:13px}.b{border:1px solid #ccc;border-radius:4px;padding:6px 14px}</style><nav>'
    for w in "${words[@]:0:8}"; do echo "<div>${w^}</div>"; done
    echo "</nav><main><h1>Screen $i: ${words[$((i % 22))]^} settings</h1>"
    for j in $(seq 1 9); do
      a=${words[$(((i * 7 + j * 3) % 22))]}; b=${words[$(((i * 5 + j) % 22))]}
      echo "<div class=c><div><b>${a^} $b $j</b><div class=s>Check the $a and the $b, then choose Apply ($i.$j)</div></div><div class=b>Open</div></div>"
    done
    echo '</main>'
  } >"$html"
  "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1920,1080 \
    --screenshot="$folder/screen-$(printf '%03d' "$i").png" "file://$html" >/dev/null 2>&1
  rm "$html"
done
