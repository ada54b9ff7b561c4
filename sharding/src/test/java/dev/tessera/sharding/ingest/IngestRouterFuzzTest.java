package dev.tessera.sharding.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * Whatever bytes arrive, the router never throws: every record ends either on a domain topic or
 * in the dead-letter topic with at least one reason (or is a duplicate of a valid one).
 */
class IngestRouterFuzzTest {
  private static final String VALID = "{\"eventId\":\"e1\",\"memberId\":\"m-1\",\"type\":\"stop\","
      + "\"eventTime\":1700000000000,\"titleId\":\"t1\",\"watchedSeconds\":60,\"schemaVersion\":1}";

  @Test
  void mutatedAndRandomBodiesAlwaysRouteOrDeadLetter() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    IngestSettings settings = IngestSettings.create(ConfigFactory.load());
    IngestMetrics metrics = new IngestMetrics();
    IngestRouter router = new IngestRouter(settings, new ReferenceCache(new ObjectMapper()), metrics);
    byte[] valid = VALID.getBytes(StandardCharsets.UTF_8);
    int routed = 0;
    int dead = 0;
    int dropped = 0;
    for (int i = 0; i < 50_000; i++) {
      byte[] body = switch (random.nextInt(4)) {
        case 0 -> randomBytes(random, random.nextInt(200));
        case 1 -> mutate(random, valid);
        case 2 -> truncate(random, valid);
        default -> VALID.replace("e1", "e" + i).replace("stop", pick(random,
            "stop", "play", "STOP", "rate", "", "device")).getBytes(StandardCharsets.UTF_8);
      };
      ConsumerRecord<byte[], byte[]> raw = new ConsumerRecord<>("member-events", random.nextInt(6),
          i, 1_700_000_000_000L + i, TimestampType.LOG_APPEND_TIME, -1, body.length,
          random.nextBoolean() ? null : "k".getBytes(StandardCharsets.UTF_8), body,
          new RecordHeaders(), java.util.Optional.empty());
      ProducerRecord<byte[], byte[]> out = router.route(raw);
      if (out == null) {
        dropped++;
      } else if (out.topic().equals(settings.deadLetterTopic())) {
        dead++;
        assertThat(out.headers().lastHeader(IngestRouter.DLQ_REASONS)).as("seed %d", seed).isNotNull();
        assertThat(out.value()).isEqualTo(body);
      } else {
        routed++;
        assertThat(settings.domainTopics()).containsValue(out.topic());
      }
    }
    assertThat(routed + dead + dropped).isEqualTo(50_000);
    assertThat(metrics.recordsIn()).isEqualTo(50_000);
    assertThat(metrics.invalid()).isEqualTo(dead);
    assertThat(metrics.duplicatesDropped()).isEqualTo(dropped);
    assertThat(dead).isPositive();
    assertThat(routed).isPositive();
  }

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] mutate(Random random, byte[] valid) {
    byte[] copy = valid.clone();
    for (int n = 1 + random.nextInt(4); n > 0; n--) {
      copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
    }
    return copy;
  }

  private static byte[] truncate(Random random, byte[] valid) {
    return java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
  }

  private static String pick(Random random, String... options) {
    return options[random.nextInt(options.length)];
  }
}
