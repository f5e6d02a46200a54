#!/usr/bin/env bash
# Regenerates the sample's committed demo media (samples/src/main/media/demo-vod/) with ffmpeg,
# using the recipes of the project's real-client tests: a 6 s test pattern with a 440 Hz tone,
# H.264 main + AAC mono, 2 s segments. Only needed to change the media; the build never runs it.
#
#   demo-vod/mp4/demo.mp4                 progressive MP4 (faststart)
#   demo-vod/hls-ts/master.m3u8           HLS, MPEG-TS segments, two renditions (320x180, 160x90)
#   demo-vod/hls-fmp4/master.m3u8         HLS, fMP4 segments (init_N.mp4), two renditions
#   demo-vod/dash/manifest.mpd            DASH, video and audio adaptation sets
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/main/media/demo-vod"
rm -rf "$out"
mkdir -p "$out"/mp4 "$out"/hls-ts "$out"/hls-fmp4 "$out"/dash
cd "$out"

SOURCE=(-f lavfi -i testsrc=size=320x180:rate=24:duration=6 -f lavfi -i sine=frequency=440:sample_rate=44100:duration=6)
VIDEO=(-c:v libx264 -profile:v main -pix_fmt yuv420p -preset veryfast -g 48 -keyint_min 48 -sc_threshold 0)
AUDIO=(-c:a aac -b:a 48k -ac 1)
RENDITIONS=(-map 0:v -map 0:v -map 1:a -map 1:a -filter:v:0 scale=320:180 -b:v:0 150k -filter:v:1 scale=160:90 -b:v:1 60k)
HLS=(-f hls -hls_time 2 -hls_playlist_type vod -hls_list_size 0)

ffmpeg -nostdin -hide_banner -loglevel error -y -fflags +bitexact "${SOURCE[@]}" \
  -map 0:v -map 1:a "${VIDEO[@]}" "${AUDIO[@]}" -movflags +faststart mp4/demo.mp4 \
  "${RENDITIONS[@]}" "${VIDEO[@]}" "${AUDIO[@]}" "${HLS[@]}" \
    -hls_segment_filename 'hls-ts/v%v/seg_%03d.ts' -master_pl_name master.m3u8 \
    -var_stream_map 'v:0,a:0 v:1,a:1' 'hls-ts/v%v/index.m3u8' \
  "${RENDITIONS[@]}" "${VIDEO[@]}" "${AUDIO[@]}" "${HLS[@]}" \
    -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 \
    -hls_segment_filename 'hls-fmp4/v%v/seg_%03d.m4s' -master_pl_name master.m3u8 \
    -var_stream_map 'v:0,a:0 v:1,a:1' 'hls-fmp4/v%v/index.m3u8' \
  -map 0:v -map 1:a "${VIDEO[@]}" "${AUDIO[@]}" \
    -f dash -seg_duration 2 -use_template 1 -use_timeline 0 \
    -init_seg_name 'init-$RepresentationID$.m4s' -media_seg_name 'chunk-$RepresentationID$-$Number%03d$.m4s' \
    -adaptation_sets 'id=0,streams=v id=1,streams=a' dash/manifest.mpd

find . -type f | sort
du -sh .
