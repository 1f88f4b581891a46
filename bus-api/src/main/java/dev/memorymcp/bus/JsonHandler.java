package dev.memorymcp.bus;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/** A bus operation: a JSON request to a future JSON reply. */
@FunctionalInterface
public interface JsonHandler extends Function<JsonObject, Future<JsonObject>> {}
