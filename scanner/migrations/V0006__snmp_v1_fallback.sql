-- SNMPv1-only agents (old print servers, RFC 3584: a v2c message is dropped unanswered) found
-- with a community set of version 2c: discovery asks each host over v1 too, and a device that
-- answered only over v1 is polled over v1 with that set's community. '1' marks it; NULL means
-- the set's own version. Kept per device, not as a credential set of its own, so editing the
-- set (its community) applies to both kinds of device.
ALTER TABLE devices ADD COLUMN snmp_version text NULL CHECK (snmp_version IN ('1'));
