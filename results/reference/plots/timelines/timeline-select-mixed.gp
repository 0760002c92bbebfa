# timeline-select-mixed: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-select-mixed.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.019369 0.022985 3 14540253
0.024036 0.034151 3 10132122
0.036946 50.8658 3 29362
50.8754 50.8888 3 14540253
50.8951 50.9059 3 10132122
50.9091 100.913 3 15113984
100.921 100.935 3 10132122
100.938 150.941 3 40563
151.061 151.235 3 14540253
151.237 151.243 3 10132122
151.245 201.248 3 29362
201.256 201.269 3 10132122
201.271 251.276 3 15113984
251.43 251.626 3 14540253
251.628 251.634 3 10132122
251.637 301.64 3 29362
301.649 301.666 3 10132122
301.67 351.676 3 40563
351.769 351.956 3 14540253
351.958 351.965 3 10132122
352.012 352.016 3 10132122
352.016 402.021 3 15113984
402.114 402.124 3 14540253
402.171 402.205 3 14540253
402.206 402.209 3 10132122
402.214 452.237 3 40563
452.354 452.52 3 14540253
452.522 452.526 3 10132122
452.559 452.563 3 14540253
452.594 502.414 3 14540253
502.501 502.642 3 14540253
502.643 502.648 3 10132122
502.691 502.739 3 14540253
502.755 502.757 3 14540253
50.869 150.954 4 10132122
100.917 150.954 5 10132122
201.252 251.288 4 10132122
150.951 251.288 6 10132122
301.644 351.685 4 10132122
251.281 351.685 5 10132122
351.68 402.029 6 10132122
402.025 452.247 5 10132122
452.242 502.422 6 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 151.139 0 29362
151.139 251.554 0 29362
251.554 351.885 0 29362
0.019289 151.221 1 15113984
151.221 351.943 1 15113984
351.943 452.458 1 15113984
0.02691 251.61 2 40563
251.61 402.175 2 40563
402.175 502.585 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,458 font "DejaVu Sans,10" } else { set terminal svg size 1200,458 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-select-mixed.%s", format)
  set multiplot layout 1,1 title "Measured timeline: select, scenario mixed"
  set title "select: WORK 50000 50 16, three clients"
  set yrange [6.5:-0.5]
  set xrange [0:512.637]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3, "I/O timer of client 1" 4, "I/O timer of client 2" 5, "I/O timer of client 3" 6)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
