package dev.tessera.sharding;

/**
 * Marker for messages, events and state that cross the network or go to the journal: bound to
 * Pekko's {@code jackson-cbor} serializer in {@code reference.conf}.
 */
public interface CborSerializable {}
