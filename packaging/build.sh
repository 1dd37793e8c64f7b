#!/usr/bin/env bash
# Build the one-folder application into build/dist/jpeg-explorer/ and smoke-run it: the bundled example,
# rendered offscreen with --screenshot. Needs PyInstaller in the active environment (pip install pyinstaller).
# Prints the bundle size and the smoke run's wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
APP_ID=io.github.jpeg_explorer.JpegExplorer
DIST=build/dist/jpeg-explorer

"${PYTHON:-python}" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath build/dist --workpath build/work packaging/jpeg-explorer.spec

# desktop integration files, laid out as under a prefix (copy share/ to ~/.local/share or /usr/share)
install -Dm644 "packaging/$APP_ID.desktop" "$DIST/share/applications/$APP_ID.desktop"
install -Dm644 "packaging/$APP_ID.metainfo.xml" "$DIST/share/metainfo/$APP_ID.metainfo.xml"
install -Dm644 "packaging/$APP_ID.svg" "$DIST/share/icons/hicolor/scalable/apps/$APP_ID.svg"

example="$DIST/_internal/assets/examples/example.jpg"
shot=build/smoke-screenshot.png
rm -f "$shot"
start=$(date +%s.%N)
QT_QPA_PLATFORM=offscreen "$DIST/jpeg-explorer" gui "$example" --screenshot "$shot"
end=$(date +%s.%N)
test -s "$shot" || { echo "smoke run wrote no screenshot" >&2; exit 1; }
echo "bundle: $DIST ($(du -sh "$DIST" | cut -f1))"
echo "smoke run: $("${PYTHON:-python}" -c "print(f'{$end - $start:.1f}')") s to open the example and save $shot"
