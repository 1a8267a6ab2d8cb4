// SPDX-License-Identifier: GPL-2.0
/*
 * sortmap SECONDS: C++ as distributions build it (g++ -O2: no frame pointers), for
 * SECONDS of CPU in std::map inserts and lookups and std::sort, called from main
 * through fill_map() and sort_values(). Prints a checksum.
 */
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <vector>

static unsigned long long rng = 88172645463325252ULL;

static unsigned next_random()
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)rng;
}

__attribute__((noinline)) static long fill_map(std::map<unsigned, unsigned> &m, int n)
{
	long s = 0;

	for (int i = 0; i < n; i++)
		m[next_random() % 1000000] = i;
	for (int i = 0; i < n; i++) {
		auto it = m.find(next_random() % 1000000);

		if (it != m.end())
			s += it->second;
	}
	return s;
}

__attribute__((noinline)) static long sort_values(int n)
{
	std::vector<unsigned> v(n);

	for (auto &x : v)
		x = next_random();
	std::sort(v.begin(), v.end());
	return v[n / 2];
}

static double now()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 1);
	long s = 0;

	do {
		std::map<unsigned, unsigned> m;

		s += fill_map(m, 100000);
		s += sort_values(300000);
	} while (now() < end);
	printf("%ld\n", s);
	return 0;
}
