/* SPDX-License-Identifier: GPL-2.0-only */
/* What the XDP programs (enforce_block, enforce_packet) share: finding the network header. */
#ifndef VIGIL_XDP_FRAME_BPF_H
#define VIGIL_XDP_FRAME_BPF_H

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8

/*
 * The network header of an Ethernet frame, after at most one VLAN tag (802.1Q or 802.1ad): its
 * start, with its EtherType (network order) in *proto; NULL when the frame is too short for the
 * headers it claims. The caller still checks its own header against end.
 */
static __always_inline void *xdp_network_header(void *data, void *end, __u16 *proto)
{
	struct ethhdr *eth = data;
	void *l3 = eth + 1;

	if (l3 > end)
		return NULL;
	*proto = eth->h_proto;
	if (*proto == bpf_htons(ETH_P_8021Q) || *proto == bpf_htons(ETH_P_8021AD)) {
		struct vlan_hdr *vh = l3;

		if ((void *)(vh + 1) > end)
			return NULL;
		*proto = vh->h_vlan_encapsulated_proto;
		l3 = vh + 1;
	}
	return l3;
}

#endif /* VIGIL_XDP_FRAME_BPF_H */
