#!/usr/bin/env bash
# System packages the browser tests need: Debian's chromium (driven by Playwright, no browser
# download) and a CJK font so screenshots show Chinese and PDF notices can embed it
# (policy_kb/documents.py uses fonts-wqy-microhei). Quick when already installed.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || need+=(fonts-wqy-microhei)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "浏览器测试需要 ${need[*]}：请用 apt-get install -y ${need[*]} 安装。 / Browser tests need ${need[*]}." >&2
  exit 1
fi
echo "安装测试所需系统软件包：${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
