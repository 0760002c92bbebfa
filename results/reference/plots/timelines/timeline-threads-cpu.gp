# timeline-threads-cpu: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-threads-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
1.96395 102.224 4 15113984
102.31 102.353 4 10132122
102.359 250.729 4 15113984
250.787 252.204 4 10132122
252.209 475.613 4 15113984
475.667 477.216 4 10132122
477.25 477.252 4 10132122
1.96394 235.531 3 40563
235.607 237.06 3 10132122
237.062 461.589 3 40563
461.662 463.073 3 10132122
463.08 569.554 3 40563
569.623 569.709 3 10132122
569.741 569.744 3 10132122
2.66325 236.229 5 29362
236.243 236.291 5 10132122
236.296 344.238 5 29362
344.354 494.519 5 29362
494.601 494.689 5 10132122
494.74 494.743 5 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 236.269 0 29362
236.269 344.328 0 29362
344.328 494.63 0 29362
0.017145 102.336 1 15113984
102.336 250.804 1 15113984
250.804 477.189 1 15113984
0.023985 236.279 2 40563
236.279 461.698 2 40563
461.698 569.653 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,424 font "DejaVu Sans,10" } else { set terminal svg size 1200,424 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-threads-cpu.%s", format)
  set multiplot layout 1,1 title "Measured timeline: threads, scenario cpu"
  set title "threads: WORK 100000 0 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:581.046]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 2" 3, "server: client thread 1" 4, "server: client thread 0" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
