package dev.tessera.sharding.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one feature value of a serialised {@link StoredSnapshot}: integers as {@code Long}, other
 * numbers as {@code Double}, objects as an insertion-ordered {@code Map<String, Double>}. Pekko's
 * object mapper would otherwise read nested objects of an {@code Object}-typed value as Scala maps.
 */
final class FeatureValueDeserializer extends JsonDeserializer<Object> {

  @Override
  public Object deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    JsonToken token = parser.currentToken();
    switch (token) {
      case VALUE_NUMBER_INT:
        return parser.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return parser.getDoubleValue();
      case START_OBJECT:
        return readCategories(parser, context);
      default:
        return context.handleUnexpectedToken(Object.class, parser);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Double> readCategories(
      JsonParser parser, DeserializationContext context) throws IOException {
    Map<String, Double> categories = new LinkedHashMap<>();
    String key;
    while ((key = parser.nextFieldName()) != null) {
      JsonToken token = parser.nextToken();
      if (token != JsonToken.VALUE_NUMBER_FLOAT && token != JsonToken.VALUE_NUMBER_INT) {
        return (Map<String, Double>) context.handleUnexpectedToken(Map.class, parser);
      }
      categories.put(key, parser.getDoubleValue());
    }
    return categories;
  }
}
