/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What users call a cgroup, read from its path the way systemd and the container
 * runtimes name their directories: the systemd unit ("nginx.service"), a container of
 * Docker, containerd, CRI-O or Podman (its id), and a Kubernetes pod (its UID, its QoS
 * class). Names only: nothing is read from the system.
 */
#ifndef PROCSCOPE_CGIDENT_H
#define PROCSCOPE_CGIDENT_H

#include <stdbool.h>
#include <stddef.h>

struct cg_ident {
	char unit[256];	       /* the innermost systemd unit (.service, .scope), or "" */
	const char *runtime;   /* "docker", "containerd", "cri-o", "podman", or NULL */
	char container_id[65]; /* the container's id (64 hex digits), or "" */
	char pod_uid[37];      /* a Kubernetes pod's UID (dashes, as kubectl shows it), or "" */
	const char *qos;       /* its QoS class: "guaranteed", "burstable", "besteffort", NULL */
};

/* Identify cgroup @path ("/system.slice/docker-<id>.scope"); false if it names nothing. */
bool cg_ident_parse(const char *path, struct cg_ident *id);

/*
 * Does the cgroup at @path go by @name: its unit ("nginx.service"), or its container's
 * id, whole or a prefix of 12 digits at least (as docker ps shows it)?
 */
bool cg_ident_matches(const char *path, const char *name);

#endif
