# timeline-sequential-cpu: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-sequential-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0 0.030275 3 10132122
0.034901 100.104 3 29362
100.185 100.255 3 10132122
100.261 200.285 3 29362
200.349 200.462 3 10132122
200.468 300.47 3 29362
300.541 300.677 3 10132122
300.727 300.729 3 10132122
300.78 400.793 3 15113984
400.853 400.889 3 10132122
400.894 500.896 3 15113984
500.963 501.095 3 10132122
501.1 601.159 3 15113984
601.224 601.367 3 10132122
601.396 601.398 3 10132122
601.446 701.449 3 40563
701.547 701.674 3 10132122
701.681 801.736 3 40563
801.792 801.876 3 10132122
801.881 901.901 3 40563
901.971 902.13 3 10132122
902.16 902.162 3 10132122
902.22 902.222 3 14540253
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 100.207 0 29362
100.207 200.419 0 29362
200.419 300.619 0 29362
0.021872 400.858 1 15113984
400.858 501.042 1 15113984
501.042 601.306 1 15113984
0.028742 701.613 2 40563
701.613 801.825 2 40563
801.825 902.07 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,356 font "DejaVu Sans,10" } else { set terminal svg size 1200,356 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-sequential-cpu.%s", format)
  set multiplot layout 1,1 title "Measured timeline: sequential, scenario cpu"
  set title "sequential: WORK 100000 0 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:920.111]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
