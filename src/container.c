// SPDX-License-Identifier: GPL-2.0-only
#include "container.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FULL_ID_LEN 64

/* Scope units that name a container: "<prefix><id>.scope". Conmon scopes are the monitor, not
 * the container, and are checked first so they never match. */
static const struct {
	const char *prefix;
	const char *runtime;
} scope_prefixes[] = {
	{ "crio-conmon-", NULL },
	{ "libpod-conmon-", NULL },
	{ "docker-", "docker" },
	{ "cri-containerd-", "containerd" },
	{ "crio-", "cri-o" },
	{ "libpod-", "podman" },
};

/* Markers inside a systemd-driver kubelet slice: "kubepods-...slice:cri-containerd:<id>". */
static const struct {
	const char *marker;
	const char *runtime;
} colon_markers[] = {
	{ ":cri-containerd:", "containerd" },
	{ ":docker:", "docker" },
	{ ":crio:", "cri-o" },
};

static bool is_hex_id(const char *s, size_t n)
{
	if (n != FULL_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

static bool has_suffix(const char *s, size_t n, const char *suffix, size_t *stem)
{
	size_t k = strlen(suffix);

	if (n < k || memcmp(s + n - k, suffix, k) != 0)
		return false;
	*stem = n - k;
	return true;
}

static void set(struct container_ref *ref, const char *id, size_t n, const char *runtime)
{
	if (n >= sizeof(ref->id))
		n = sizeof(ref->id) - 1;
	memcpy(ref->id, id, n);
	ref->id[n] = '\0';
	ref->runtime = runtime;
}

/* systemd unit names escape bytes as \xNN ("-" is \x2d); undo that for a machine name. */
static void set_unescaped(struct container_ref *ref, const char *s, size_t n, const char *runtime)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < sizeof(ref->id); i++) {
		unsigned v;
		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' && sscanf(s + i + 2, "%2x", &v) == 1 &&
		    isxdigit((unsigned char)s[i + 2]) && isxdigit((unsigned char)s[i + 3])) {
			ref->id[o++] = (char)v;
			i += 3;
		} else {
			ref->id[o++] = s[i];
		}
	}
	ref->id[o] = '\0';
	ref->runtime = runtime;
}

/* One path component; returns 1 if it names a container. parent is the component above it. */
static int match_component(const char *c, size_t n, const char *parent, size_t parent_n,
			   bool under_kubepods, struct container_ref *ref)
{
	size_t stem;

	if (has_suffix(c, n, ".scope", &stem)) {
		for (size_t i = 0; i < sizeof(scope_prefixes) / sizeof(scope_prefixes[0]); i++) {
			size_t k = strlen(scope_prefixes[i].prefix);
			if (stem < k || memcmp(c, scope_prefixes[i].prefix, k) != 0)
				continue;
			if (!scope_prefixes[i].runtime)
				return 0;
			if (!is_hex_id(c + k, stem - k))
				return 0;
			set(ref, c + k, stem - k, scope_prefixes[i].runtime);
			return 1;
		}
		if (stem > 8 && memcmp(c, "machine-", 8) == 0) {
			set_unescaped(ref, c + 8, stem - 8, "systemd-nspawn");
			return 1;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(colon_markers) / sizeof(colon_markers[0]); i++) {
		const char *m = strstr(c, colon_markers[i].marker);
		if (m && (size_t)(m - c) < n) {
			const char *id = m + strlen(colon_markers[i].marker);
			size_t idn = n - (size_t)(id - c);
			if (is_hex_id(id, idn)) {
				set(ref, id, idn, colon_markers[i].runtime);
				return 1;
			}
		}
	}
	if (n > 12 && memcmp(c, "lxc.payload.", 12) == 0) {
		set(ref, c + 12, n - 12, "lxc");
		return 1;
	}
	if (is_hex_id(c, n)) {
		const char *runtime = "kubernetes";
		if (parent_n == 6 && memcmp(parent, "docker", 6) == 0)
			runtime = "docker";
		else if (parent_n == 13 && memcmp(parent, "libpod_parent", 13) == 0)
			runtime = "podman";
		else if (!under_kubepods)
			runtime = "docker"; /* cgroupfs driver: /docker/<id> or a custom parent */
		set(ref, c, n, runtime);
		return 1;
	}
	return 0;
}

int container_from_cgroup(const char *path, struct container_ref *ref)
{
	const char *comp[64];
	size_t len[64];
	int k = 0;
	bool kubepods;

	ref->id[0] = '\0';
	ref->runtime = "";
	if (!path)
		return 0;
	kubepods = strstr(path, "kubepods") != NULL;
	for (const char *p = path; *p && k < 64;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		comp[k] = p;
		len[k] = n;
		k++;
		p += n;
	}
	/* innermost first: nested layouts (a container's own sub-cgroups) still find the id */
	for (int i = k - 1; i >= 0; i--) {
		const char *parent = i ? comp[i - 1] : "";
		size_t parent_n = i ? len[i - 1] : 0;
		if (match_component(comp[i], len[i], parent, parent_n, kubepods, ref))
			return 1;
	}
	return 0;
}
