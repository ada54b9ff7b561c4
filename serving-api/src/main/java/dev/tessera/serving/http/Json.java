package dev.tessera.serving.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.util.ByteString;

/** JSON in and out of the HTTP layer: one shared, configured Jackson mapper and response helpers. */
public final class Json {
  // Jackson's default pool of write buffers is per thread; a thread that clears its locals (the
  // JDK's common pool does after each task) would allocate them for every document.
  public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private Json() {}

  /** Writes a document with a streaming generator: the hot read path builds no tree. */
  public interface Writer {
    void write(JsonGenerator generator) throws IOException;
  }

  public static byte[] bytes(Writer writer) {
    return written(writer).toByteArray();
  }

  /** A response that owns {@code body}: the caller must not change the array afterwards. */
  public static HttpResponse response(StatusCode status, byte[] body) {
    return response(status, ByteString.fromArrayUnsafe(body));
  }

  /**
   * A response written straight into its body's buffer: one array per response, neither copied
   * out of the stream nor again into the entity (the read path's main garbage).
   */
  public static HttpResponse response(StatusCode status, Writer writer) {
    return response(status, written(writer).toByteString());
  }

  private static HttpResponse response(StatusCode status, ByteString body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  private static Body written(Writer writer) {
    Body out = new Body();
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      writer.write(generator);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** A growing buffer whose content becomes a {@link ByteString} without a copy. */
  private static final class Body extends ByteArrayOutputStream {
    Body() {
      super(1024);
    }

    ByteString toByteString() {
      return ByteString.fromArrayUnsafe(buf, 0, count);
    }
  }

  public static HttpResponse response(StatusCode status, Object value) {
    try {
      return response(status, MAPPER.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a feature value as the store holds it: Long, Double, Map of Double, or null. */
  public static void writeValue(JsonGenerator generator, Object value) throws IOException {
    if (value == null) {
      generator.writeNull();
    } else if (value instanceof Long l) {
      generator.writeNumber(l);
    } else if (value instanceof Double d) {
      generator.writeNumber(d);
    } else if (value instanceof Number n) {
      generator.writeNumber(n.doubleValue());
    } else if (value instanceof Map<?, ?> map) {
      generator.writeStartObject();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        generator.writeFieldName(String.valueOf(entry.getKey()));
        writeValue(generator, entry.getValue());
      }
      generator.writeEndObject();
    } else {
      generator.writeString(value.toString());
    }
  }
}
