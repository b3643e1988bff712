// SPDX-License-Identifier: GPL-2.0-only
/* The inventory as tables for people and JSON for machines. */
#include "check/inventory.h"

#include <stdio.h>
#include <string.h>

#include "check/report.h"
#include "timefmt.h"

#define RED "\033[31m"
#define YELLOW "\033[33m"
#define RESET "\033[0m"

static void holders_text(const struct inv_obj *o, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < o->n_holders && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%d/%s", i ? "," : "", o->holders[i].pid,
				      o->holders[i].comm);
	if (!o->n_holders)
		snprintf(buf, len, "-");
	check_text_printable(buf);
}

static void owner_text(const struct inv_obj *o, bool color, char *buf, size_t len)
{
	if (o->vigil)
		snprintf(buf, len, "vigil");
	else
		snprintf(buf, len, "%sOTHER%s", color ? YELLOW : "", color ? RESET : "");
}

static void loaded_text(uint64_t ns, char *buf, size_t len)
{
	char t[TIME_RFC3339_LEN];

	if (!ns) {
		snprintf(buf, len, "-");
		return;
	}
	format_rfc3339(t, ns);
	snprintf(buf, len, "%.19sZ", t); /* whole seconds are enough on a screen */
}

static void pins_text(const struct inv_obj *o, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < o->n_pins && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, " pinned:%s", o->pins[i]);
	check_text_printable(buf);
}

static void print_kind(const struct inventory *inv, enum inv_kind kind, bool color)
{
	static const char *const titles[INV_KINDS] = { "programs", "maps", "links" };
	char owner[32], holders[512], loaded[32], pins[1024];

	printf("\nBPF %s: %zu (%zu not vigil's)\n", titles[kind], inv->counts[kind], inv->others[kind]);
	if (!inv->counts[kind])
		return;
	if (kind == INV_PROG)
		printf("%-6s %6s %-22s %-16s %-16s %-20s %5s %s\n", "OWNER", "ID", "TYPE", "NAME",
		       "TAG", "LOADED", "UID", "HELD BY / ATTACHED TO");
	else if (kind == INV_MAP)
		printf("%-6s %6s %-22s %-16s %s\n", "OWNER", "ID", "TYPE", "NAME", "HELD BY");
	else
		printf("%-6s %6s %-22s %6s %s\n", "OWNER", "ID", "TYPE", "PROG", "HELD BY / ATTACHED TO");
	for (size_t i = 0; i < inv->n; i++) {
		const struct inv_obj *o = &inv->objs[i];
		if (o->kind != kind)
			continue;
		owner_text(o, color, owner, sizeof(owner));
		holders_text(o, holders, sizeof(holders));
		pins_text(o, pins, sizeof(pins));
		/* both owner words are 5 wide; colour codes take no room on screen */
		printf("%s  %6u ", owner, o->id);
		if (kind == INV_PROG) {
			loaded_text(o->loaded_ns, loaded, sizeof(loaded));
			printf("%-22s %-16s %-16s %-20s %5u %s%s%s%s\n", o->type, o->name[0] ? o->name : "-",
			       o->tag, loaded, o->uid, holders, o->attach[0] ? " -> " : "", o->attach,
			       pins);
		} else if (kind == INV_MAP) {
			printf("%-22s %-16s %s%s\n", o->type, o->name[0] ? o->name : "-", holders, pins);
		} else {
			printf("%-22s %6u %s -> %s%s\n", o->type, o->prog_id, holders, o->attach, pins);
		}
	}
}

void inventory_print_table(const struct inventory *inv, bool color)
{
	for (int k = 0; k < INV_KINDS; k++)
		print_kind(inv, (enum inv_kind)k, color);
	printf("\nPinned under bpffs: %zu\n", inv->n_pins);
	if (!inv->n_pins)
		return;
	printf("%-6s %6s %-5s %s\n", "OWNER", "ID", "KIND", "PATH");
	for (size_t i = 0; i < inv->n_pins; i++) {
		const struct inv_pin *p = &inv->pins[i];
		char path[4096];
		snprintf(path, sizeof(path), "%s", p->path);
		check_text_printable(path);
		if (p->kind < 0) {
			printf("%s?%s      %6s %-5s %s (cannot open: %s)\n", color ? RED : "",
			       color ? RESET : "", "-", "-", path, strerror(p->err));
			continue;
		}
		printf("%s%s%s  %6u %-5s %s\n", !p->vigil && color ? YELLOW : "",
		       p->vigil ? "vigil" : "OTHER", !p->vigil && color ? RESET : "", p->id,
		       inv_kind_name((enum inv_kind)p->kind), path);
	}
}

static void write_obj(const struct inv_obj *o, struct out *out)
{
	char t[TIME_RFC3339_LEN];

	out_obj(out, NULL);
	out_u64(out, "id", o->id);
	out_str(out, "type", o->type);
	out_str(out, "name", o->name);
	out_bool(out, "vigil", o->vigil);
	if (o->kind == INV_PROG) {
		out_str(out, "tag", o->tag);
		if (o->loaded_ns) {
			format_rfc3339(t, o->loaded_ns);
			out_str(out, "loaded", t);
		} else {
			out_null(out, "loaded");
		}
		out_u64(out, "uid", o->uid);
		out_arr(out, "map_ids");
		for (uint32_t m = 0; m < o->n_map_ids; m++)
			out_u64(out, NULL, o->map_ids[m]);
		out_arr_end(out);
	}
	if (o->kind == INV_LINK)
		out_u64(out, "prog_id", o->prog_id);
	if (o->kind != INV_MAP) {
		if (o->attach[0])
			out_str(out, "attached", o->attach);
		else
			out_null(out, "attached");
	}
	out_arr(out, "holders");
	for (size_t h = 0; h < o->n_holders; h++) {
		out_obj(out, NULL);
		out_i64(out, "pid", o->holders[h].pid);
		out_str(out, "comm", o->holders[h].comm);
		out_bool(out, "vigil", o->holders[h].vigil);
		out_obj_end(out);
	}
	out_arr_end(out);
	out_arr(out, "pinned");
	for (size_t p = 0; p < o->n_pins; p++)
		out_str(out, NULL, o->pins[p]);
	out_arr_end(out);
	out_obj_end(out);
}

void inventory_write_json(const struct inventory *inv, struct out *o)
{
	static const char *const keys[INV_KINDS] = { "programs", "maps", "links" };

	out_obj(o, "summary");
	for (int k = 0; k < INV_KINDS; k++) {
		out_obj(o, keys[k]);
		out_u64(o, "total", inv->counts[k]);
		out_u64(o, "not_vigil", inv->others[k]);
		out_obj_end(o);
	}
	out_obj_end(o);
	for (int k = 0; k < INV_KINDS; k++) {
		out_arr(o, keys[k]);
		for (size_t i = 0; i < inv->n; i++)
			if (inv->objs[i].kind == (enum inv_kind)k)
				write_obj(&inv->objs[i], o);
		out_arr_end(o);
	}
	out_arr(o, "pinned");
	for (size_t i = 0; i < inv->n_pins; i++) {
		const struct inv_pin *p = &inv->pins[i];
		out_obj(o, NULL);
		out_str(o, "path", p->path);
		if (p->kind >= 0) {
			out_str(o, "kind", inv_kind_name((enum inv_kind)p->kind));
			out_u64(o, "id", p->id);
			out_bool(o, "vigil", p->vigil);
			out_null(o, "error");
		} else {
			out_null(o, "kind");
			out_null(o, "id");
			out_bool(o, "vigil", false);
			out_str(o, "error", strerror(p->err));
		}
		out_obj_end(o);
	}
	out_arr_end(o);
}
