# timeline-select-cpu: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-select-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.04075 0.045897 3 14540253
0.04763 0.060169 3 10132122
0.063634 100.209 3 29362
100.328 100.336 3 10132122
100.343 200.346 3 15113984
200.463 200.471 3 10132122
200.474 300.558 3 40563
300.679 300.689 3 14540253
300.693 300.7 3 10132122
300.703 400.708 3 29362
400.812 400.821 3 10132122
400.824 500.854 3 15113984
500.951 500.962 3 14540253
500.963 500.971 3 10132122
500.974 600.978 3 29362
601.07 601.077 3 10132122
601.104 701.111 3 40563
701.208 701.219 3 14540253
701.227 701.235 3 10132122
701.277 701.281 3 10132122
701.282 801.286 3 15113984
801.362 801.371 3 14540253
801.403 801.408 3 10132122
801.409 901.412 3 40563
901.491 901.499 3 14540253
901.501 901.506 3 10132122
901.534 901.536 3 14540253
901.558 901.651 3 14540253
901.652 901.655 3 10132122
901.675 901.677 3 14540253
901.684 901.733 3 14540253
901.734 901.736 3 14540253
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 100.331 0 29362
100.331 400.897 0 29362
400.897 601.154 0 29362
0.013259 200.511 1 15113984
200.511 501.063 1 15113984
501.063 801.5 1 15113984
0.019649 300.733 2 40563
300.733 701.312 2 40563
701.312 901.596 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,356 font "DejaVu Sans,10" } else { set terminal svg size 1200,356 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-select-cpu.%s", format)
  set multiplot layout 1,1 title "Measured timeline: select, scenario cpu"
  set title "select: WORK 100000 0 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:919.628]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
