// A CPU-bound Go loop of SECONDS (os.Args[1]) that makes garbage, so that the
// runtime's GC workers and its other threads run beside it; prints "cpu_ms N": the
// process's utime+stime.
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

var sink []byte

func main() {
	seconds := 1.0
	if len(os.Args) > 1 {
		seconds, _ = strconv.ParseFloat(os.Args[1], 64)
	}
	end := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	x, n := 0, 0
	for time.Now().Before(end) {
		for i := 0; i < 10000; i++ {
			x += i % 7
		}
		if n++; n%100 == 0 {
			sink = make([]byte, 1<<20)
		}
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := (ru.Utime.Sec+ru.Stime.Sec)*1000 + (ru.Utime.Usec+ru.Stime.Usec)/1000
	fmt.Println("cpu_ms", cpu, x > 0)
}
