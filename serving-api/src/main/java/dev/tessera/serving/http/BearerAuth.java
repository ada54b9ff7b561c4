package dev.tessera.serving.http;

import dev.tessera.serving.ServingSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Bearer-token access control. Operator endpoints (anything that changes state) need the operator
 * token; reads are open unless {@code tessera.serving.auth.protect-reads} is on, then they need the
 * read or the operator token. Tokens are compared in constant time (over their SHA-256 digests, so
 * not even their length leaks) and never logged. No token is 401 with a {@code WWW-Authenticate}
 * challenge; a wrong token, or a read token on an operator endpoint, is 403.
 */
public final class BearerAuth extends AllDirectives {
  private static final String BEARER = "bearer ";

  private final byte[] operatorDigest;
  private final byte[] readDigest;
  private final boolean protectReads;
  private final ErrorResponses errors;

  public BearerAuth(ServingSettings.Auth settings, ErrorResponses errors) {
    this.operatorDigest = digestOrNull(settings.operatorToken());
    this.readDigest = digestOrNull(settings.readToken());
    this.protectReads = settings.protectReads();
    this.errors = errors;
  }

  /** Lets the request through when reads are open or it carries the read or operator token. */
  public Route read(Supplier<Route> inner) {
    if (!protectReads) {
      return inner.get();
    }
    return extractRequest(request -> {
      Optional<byte[]> presented = presentedDigest(request);
      if (presented.isEmpty()) {
        return unauthorized();
      }
      if (matches(presented.get(), readDigest) | matches(presented.get(), operatorDigest)) {
        return inner.get();
      }
      return forbidden("the token is not valid for reads");
    });
  }

  /**
   * Whether {@link #read} would let {@code request} through (for a path that answers reads without
   * the routing DSL; it leaves every refusal to {@link #read}, so 401 and 403 have one source).
   */
  public boolean allowsRead(HttpRequest request) {
    if (!protectReads) {
      return true;
    }
    Optional<byte[]> presented = presentedDigest(request);
    return presented.isPresent()
        && (matches(presented.get(), readDigest) | matches(presented.get(), operatorDigest));
  }

  /** Lets the request through only with the operator token. */
  public Route operator(Supplier<Route> inner) {
    return extractRequest(request -> {
      if (operatorDigest == null) {
        return complete(errors.response(StatusCodes.FORBIDDEN, ApiError.of(
            "OPERATOR_ENDPOINTS_DISABLED",
            "operator endpoints are disabled: set tessera.serving.auth.operator-token")));
      }
      Optional<byte[]> presented = presentedDigest(request);
      if (presented.isEmpty()) {
        return unauthorized();
      }
      if (matches(presented.get(), operatorDigest)) {
        return inner.get();
      }
      return forbidden("this endpoint needs the operator token");
    });
  }

  private Route unauthorized() {
    return complete(errors.response(StatusCodes.UNAUTHORIZED, ApiError.of("UNAUTHORIZED",
        "send 'Authorization: Bearer <token>'")));
  }

  private Route forbidden(String message) {
    return complete(errors.response(StatusCodes.FORBIDDEN, ApiError.of("FORBIDDEN", message)));
  }

  private static Optional<byte[]> presentedDigest(HttpRequest request) {
    Optional<Authorization> header = request.getHeader(Authorization.class);
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get().value();
    if (value.length() <= BEARER.length()
        || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    return Optional.of(digest(value.substring(BEARER.length()).trim()));
  }

  private static boolean matches(byte[] presented, byte[] expected) {
    return expected != null && MessageDigest.isEqual(presented, expected);
  }

  private static byte[] digestOrNull(String token) {
    return token.isEmpty() ? null : digest(token);
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
