# timeline-fork-cpu: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-fork-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
1.16917 192.094 5 40563
192.217 398.467 5 40563
398.533 399.144 5 10132122
399.151 499.241 5 40563
499.317 500 5 10132122
500.065 500.067 5 10132122
0.335198 114.551 3 15113984
114.651 114.709 3 10132122
114.714 256.843 3 15113984
256.948 371.7 3 15113984
371.753 371.798 3 10132122
371.844 371.846 3 10132122
0.452488 233.169 4 29362
236.076 441.471 4 29362
441.572 561.37 4 29362
561.454 561.496 4 10132122
561.541 561.543 4 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 234.653 0 29362
234.653 441.548 0 29362
441.548 561.465 0 29362
0.012989 114.688 1 15113984
114.688 256.923 1 15113984
256.924 371.766 1 15113984
0.019038 192.197 2 40563
192.197 399.104 2 40563
399.104 499.935 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,424 font "DejaVu Sans,10" } else { set terminal svg size 1200,424 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-fork-cpu.%s", format)
  set multiplot layout 1,1 title "Measured timeline: fork, scenario cpu"
  set title "fork: WORK 100000 0 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:572.694]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 24357" 3, "server: child process 24356" 4, "server: child process 24358" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
