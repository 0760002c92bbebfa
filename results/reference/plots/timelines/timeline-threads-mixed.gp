# timeline-threads-mixed: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-threads-mixed.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.137619 75.3969 3 29362
75.4055 125.587 3 10078176
125.681 125.727 3 10078176
125.732 192.587 3 29362
192.589 242.685 3 10078176
242.742 243.123 3 10078176
243.131 301.149 3 29362
301.152 351.253 3 10078176
351.282 351.302 3 10078176
351.332 351.431 3 10078176
0.150173 50.371 4 40563
50.3781 100.483 4 10082503
100.589 100.626 4 10082503
100.632 150.689 4 40563
150.694 200.789 4 10082503
200.854 201.025 4 10082503
201.032 259.437 4 40563
259.439 309.597 4 10082503
309.685 309.933 4 10082503
310.006 310.009 4 10082503
0.813193 76.0605 5 15113984
76.0648 126.996 5 16112025
127.024 127.049 5 16112025
127.053 192.502 5 15113984
192.508 242.657 5 16112025
242.731 242.797 5 16112025
242.803 292.855 5 15113984
292.86 342.997 5 16112025
343.076 343.214 5 16112025
343.273 343.276 5 16112025
EOD
$chart0_served << EOD
# start_ms end_ms row colour
0.137619 125.712 0 29362
125.712 242.762 0 29362
242.762 351.29 0 29362
0.813193 127.033 1 15113984
127.033 242.783 1 15113984
242.783 343.135 1 15113984
0.150173 100.61 2 40563
100.611 200.942 2 40563
200.942 309.817 2 40563
EOD
$chart0_waiting << EOD
# start_ms end_ms row colour
0 0.137619 0 29362
125.712 125.712 0 29362
242.762 242.762 0 29362
0.014001 0.813193 1 15113984
127.033 127.033 1 15113984
242.783 242.783 1 15113984
0.02038 0.150173 2 40563
100.611 100.611 2 40563
200.942 200.942 2 40563
EOD
$chart0_unsplit << EOD
# start_ms end_ms row colour
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center vertical maxrows 3
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,474 font "DejaVu Sans,10" } else { set terminal svg size 1200,474 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-threads-mixed.%s", format)
  set multiplot layout 1,1 title "Measured timeline: threads, scenario mixed"
  set title "threads: WORK 50000 50 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:358.316]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 0" 3, "server: client thread 2" 4, "server: client thread 1" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_served using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.700000 noborder lc rgb variable notitle, \
       $chart0_waiting using (($1+$2)/2):($4==29362?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#0072B2" lc rgb "#0072B2" notitle, \
       $chart0_waiting using (($1+$2)/2):($4==15113984?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#E69F00" lc rgb "#E69F00" notitle, \
       $chart0_waiting using (($1+$2)/2):($4==40563?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#009E73" lc rgb "#009E73" notitle, \
       keyentry with boxes fs solid 1.0 lc rgb "#0072B2" title "server: CPU for a client (its colour)", \
       keyentry with boxes fs solid 1.0 lc rgb "#99C7E0" title "server: waiting on a client (its tint)", \
       keyentry with boxes fs solid 1.0 lc rgb "#DDDDDD" title "server: waiting for any client", \
       keyentry with boxes fs transparent pattern 4 border lc rgb "#0072B2" lc rgb "#0072B2" title "request: waiting to be served", \
       keyentry with boxes fs transparent solid 0.700000 noborder lc rgb "#0072B2" title "request: being served"
  unset multiplot
  set output
}
