// SPDX-License-Identifier: GPL-2.0
/* Cgroup paths to units, containers and pods, as each manager names its directories. */
#include "lib/cgident.h"
#include "test.h"

#define ID "3f4e9a0c1b2d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7"

TEST(test_cgident__systemd_units)
{
	struct cg_ident id;

	CHECK(cg_ident_parse("/system.slice/nginx.service", &id));
	CHECK_STR(id.unit, "nginx.service");
	CHECK(!id.runtime && !id.container_id[0] && !id.pod_uid[0]);
	CHECK(cg_ident_parse("/user.slice/user-1000.slice/session-3.scope", &id));
	CHECK_STR(id.unit, "session-3.scope");
	/* the innermost unit: a service's own sub-cgroup still is the service */
	CHECK(cg_ident_parse("/system.slice/postgresql@15-main.service/supervisor", &id));
	CHECK_STR(id.unit, "postgresql@15-main.service");
	CHECK(!cg_ident_parse("/", &id));
	CHECK(!cg_ident_parse("/system.slice", &id));
	CHECK(!cg_ident_parse("", &id));
}

TEST(test_cgident__containers)
{
	struct cg_ident id;

	CHECK(cg_ident_parse("/system.slice/docker-" ID ".scope", &id));
	CHECK_STR(id.runtime, "docker");
	CHECK_STR(id.container_id, ID);
	CHECK_STR(id.unit, ""); /* the container, not its scope unit */
	CHECK(cg_ident_parse("/docker/" ID, &id));
	CHECK_STR(id.runtime, "docker");
	CHECK(cg_ident_parse("/system.slice/crio-" ID ".scope", &id));
	CHECK_STR(id.runtime, "cri-o");
	CHECK(cg_ident_parse("/machine.slice/libpod-" ID ".scope", &id));
	CHECK_STR(id.runtime, "podman");
	CHECK(cg_ident_parse("/libpod_parent/libpod-" ID, &id));
	CHECK_STR(id.runtime, "podman");
	CHECK_STR(id.container_id, ID);
	/* a container's monitor is not the container */
	CHECK(cg_ident_parse("/machine.slice/libpod-conmon-" ID ".scope", &id) == false);
	CHECK(!cg_ident_parse("/system.slice/crio-conmon-" ID ".scope", &id));
	/* one digit short, or not hex: no id */
	CHECK(!cg_ident_parse("/system.slice/docker-" ID "0.scope", &id) || !id.container_id[0]);
	CHECK(!cg_ident_parse(
		"/docker/3f4e9a0c1b2d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6eZ", &id));
}

TEST(test_cgident__kubernetes_pods)
{
	struct cg_ident id;

	CHECK(cg_ident_parse("/kubepods.slice/kubepods-burstable.slice/"
			     "kubepods-burstable-pod0a1b2c3d_4e5f_6071_8293_a4b5c6d7e8f9.slice/"
			     "cri-containerd-" ID ".scope",
			     &id));
	CHECK_STR(id.runtime, "containerd");
	CHECK_STR(id.container_id, ID);
	CHECK_STR(id.pod_uid, "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
	CHECK_STR(id.qos, "burstable");
	CHECK(cg_ident_parse("/kubepods.slice/kubepods-besteffort.slice/"
			     "kubepods-besteffort-pod0a1b2c3d_4e5f_6071_8293_a4b5c6d7e8f9.slice",
			     &id));
	CHECK_STR(id.qos, "besteffort");
	CHECK(!id.runtime);
	CHECK(cg_ident_parse(
		"/kubepods.slice/kubepods-pod0a1b2c3d_4e5f_6071_8293_a4b5c6d7e8f9.slice/"
		"crio-" ID ".scope",
		&id));
	CHECK_STR(id.qos, "guaranteed");
	CHECK_STR(id.runtime, "cri-o");
	/* the cgroupfs driver */
	CHECK(cg_ident_parse("/kubepods/burstable/pod0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9/" ID,
			     &id));
	CHECK_STR(id.pod_uid, "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
	CHECK_STR(id.qos, "burstable");
	CHECK_STR(id.container_id, ID);
	CHECK(!id.runtime); /* containerd or CRI-O: the path does not say */
	CHECK(cg_ident_parse("/kubepods/pod0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9", &id));
	CHECK_STR(id.qos, "guaranteed");
}

TEST(test_cgident__matches)
{
	CHECK(cg_ident_matches("/system.slice/nginx.service", "nginx.service"));
	CHECK(!cg_ident_matches("/system.slice/nginx.service", "nginx"));
	CHECK(cg_ident_matches("/system.slice/docker-" ID ".scope", ID));
	CHECK(cg_ident_matches("/system.slice/docker-" ID ".scope", "3f4e9a0c1b2d"));
	CHECK(!cg_ident_matches("/system.slice/docker-" ID ".scope", "3f4e9a0c1b2")); /* < 12 */
	CHECK(!cg_ident_matches("/system.slice/docker-" ID ".scope", "3f4e9a0c1b2e"));
	CHECK(!cg_ident_matches("/", "3f4e9a0c1b2d"));
}
