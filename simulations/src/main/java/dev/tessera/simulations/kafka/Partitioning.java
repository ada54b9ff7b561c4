package dev.tessera.simulations.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The raw partition of a member: the one Kafka's default partitioner gives the member's id as key.
 * The simulator sends every record there explicitly, also those with a null or wrong key, so each
 * member's records stay in generation order in one partition and the truth (late, in-lateness
 * disorder, duplicates) holds for a consumer reading partitions in order.
 */
public final class Partitioning {

  private Partitioning() {}

  public static int partition(String memberId, int partitions) {
    byte[] key = memberId.getBytes(StandardCharsets.UTF_8);
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }
}
