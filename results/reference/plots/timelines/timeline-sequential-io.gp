# timeline-sequential-io: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-sequential-io.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.00287 0.026495 3 10078176
0.032554 0.033986 3 29362
0.034567 100.232 3 10078176
100.324 100.362 3 10078176
100.368 100.37 3 29362
100.371 200.574 3 10078176
200.633 200.664 3 10078176
200.668 200.669 3 29362
200.671 300.932 3 10078176
301.049 301.051 3 10078176
301.101 301.103 3 15113984
301.103 401.25 3 16112025
401.312 401.335 3 16112025
401.34 401.341 3 15113984
401.342 501.59 3 16112025
501.651 501.684 3 16112025
501.708 501.71 3 15113984
501.711 601.905 3 16112025
602.01 602.012 3 16112025
602.061 602.063 3 40563
602.063 702.238 3 10082503
702.299 702.322 3 10082503
702.327 702.328 3 40563
702.329 802.546 3 10082503
802.627 802.628 3 40563
802.629 902.85 3 10082503
902.91 903.042 3 10082503
903.07 903.071 3 10082503
EOD
$chart0_served << EOD
# start_ms end_ms row colour
0.00287 100.345 0 29362
100.346 200.647 0 29362
200.647 300.992 0 29362
301.101 401.323 1 15113984
401.323 501.664 1 15113984
501.664 601.962 1 15113984
602.061 702.31 2 40563
702.31 802.603 2 40563
802.627 902.938 2 40563
EOD
$chart0_waiting << EOD
# start_ms end_ms row colour
0 0.00287 0 29362
100.346 100.346 0 29362
200.647 200.647 0 29362
0.018117 301.101 1 15113984
401.323 401.323 1 15113984
501.664 501.664 1 15113984
0.024236 602.061 2 40563
702.31 702.31 2 40563
802.603 802.627 2 40563
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
  if (format eq "png") { set terminal pngcairo size 1200,406 font "DejaVu Sans,10" } else { set terminal svg size 1200,406 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-sequential-io.%s", format)
  set multiplot layout 1,1 title "Measured timeline: sequential, scenario io"
  set title "sequential: WORK 0 100 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:920.997]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
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
