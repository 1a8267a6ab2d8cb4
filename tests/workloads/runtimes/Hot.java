// A CPU-bound Java loop of SECONDS (args[0]) beside the JVM's own threads (the launcher's
// thread joins the one running main; GC and JIT threads idle or help); prints "cpu_ms N":
// the process's CPU time.
public class Hot {
	public static void main(String[] args) {
		double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1;
		long end = System.nanoTime() + (long) (seconds * 1e9);
		long x = 0;
		while (System.nanoTime() < end)
			for (int i = 0; i < 10000; i++)
				x += i % 7;
		long cpu = ProcessHandle.current().info().totalCpuDuration()
				.map(d -> d.toMillis()).orElse(-1L);
		System.out.println("cpu_ms " + cpu + " " + (x > 0));
	}
}
