// A CPU-bound JavaScript loop of SECONDS (argv[2]) beside node's idle helper threads;
// prints "cpu_ms N": the process's utime+stime, as the kernel counts it.
const seconds = Number(process.argv[2] || 1);
const end = Date.now() + seconds * 1000;
let x = 0;
while (Date.now() < end) {
	for (let i = 0; i < 10000; i++) x += i % 7;
}
const u = process.cpuUsage();
console.log(`cpu_ms ${Math.round((u.user + u.system) / 1000)} ${x > 0}`);
