package dev.memorymcp.gateway.transfer;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.gateway.auth.Caller;
import dev.memorymcp.gateway.auth.GatedBus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.core.streams.ReadStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads an export (JSON Lines, see {@link Exporter}) from a stream and imports it a page at a
 * time: the stream is paused while a page is written, so memory stays bounded whatever the file's
 * size. Each page is one all-or-nothing write in the store, idempotent by id (importing twice
 * changes nothing); a bad line stops the import with its line number and field, and the pages
 * before it stay imported (run it again after fixing the line: it resumes by overwriting).
 */
public final class Importer {
  static final int PAGE = 100;
  /** Longest line accepted (a memory with a long history). */
  public static final int MAX_LINE = 16 * 1024 * 1024;

  private final GatedBus bus;

  public Importer(GatedBus bus) {
    this.bus = bus;
  }

  /**
   * Imports the lines of {@code in}; {@code namespace} (may be null) imports every line into that
   * namespace. Completes with {lines, written, reembedded}.
   */
  public Future<JsonObject> importFrom(Caller caller, ReadStream<Buffer> in, String namespace, Exporter.Progress progress) {
    Promise<JsonObject> done = Promise.promise();
    RecordParser parser = RecordParser.newDelimited("\n", in).maxRecordSize(MAX_LINE);
    State st = new State();
    parser.handler(buf -> {
      st.lineNo++;
      String text = buf.toString(StandardCharsets.UTF_8).strip();
      if (text.isEmpty() || done.future().isComplete()) {
        return;
      }
      JsonObject line;
      try {
        line = new JsonObject(text);
      } catch (DecodeException | ClassCastException e) {
        fail(parser, done, MemoryException.invalidField("line " + st.lineNo, "is not a JSON object"));
        return;
      }
      if (st.header == null) {
        if (!Exporter.FORMAT.equals(line.getString("format"))) {
          fail(parser, done, MemoryException.invalidField("line 1", "must be the export header {\"format\": \""
              + Exporter.FORMAT + "\", …}; is this a file written by the export?"));
          return;
        }
        if (line.getInteger("version", 0) != Exporter.VERSION) {
          fail(parser, done, MemoryException.invalidField("line 1", "export version " + line.getValue("version")
              + " is not supported (this server reads version " + Exporter.VERSION + ")"));
          return;
        }
        st.header = line;
        return;
      }
      if (st.page.isEmpty()) {
        st.firstLine = st.lineNo;
      }
      st.page.add(line);
      if (st.page.size() >= PAGE) {
        parser.pause();
        flush(caller, namespace, st, progress).onSuccess(v -> parser.resume()).onFailure(err -> fail(parser, done, err));
      }
    });
    parser.exceptionHandler(err -> fail(parser, done, err instanceof IllegalStateException
        ? new MemoryException(ErrorCode.TOO_LARGE, "LINE_TOO_LARGE", "line " + (st.lineNo + 1) + " is longer than "
            + MAX_LINE + " bytes") : err));
    parser.endHandler(v -> {
      if (done.future().isComplete()) {
        return;
      }
      if (st.header == null) {
        done.tryFail(MemoryException.invalidField("body", "is empty; expected an export (JSON Lines)"));
        return;
      }
      flush(caller, namespace, st, progress).onSuccess(x -> done.tryComplete(new JsonObject()
          .put("lines", st.lines).put("written", st.written).put("reembedded", st.reembedded)))
          .onFailure(done::tryFail);
    });
    return done.future();
  }

  private static final class State {
    JsonObject header;
    JsonArray page = new JsonArray();
    int lineNo;
    int firstLine;
    long lines;
    long written;
    long reembedded;
  }

  private Future<Void> flush(Caller caller, String namespace, State st, Exporter.Progress progress) {
    if (st.page.isEmpty()) {
      return Future.succeededFuture();
    }
    JsonArray items = st.page;
    st.page = new JsonArray();
    JsonObject req = new JsonObject().put("items", items).put("model", st.header.getString("model"))
        .put("first_line", st.firstLine);
    if (namespace != null) {
      req.put("namespace", namespace);
    }
    return bus.request(caller, Addresses.STORE_IMPORT_PAGE, req, 300_000).map(r -> {
      st.lines += items.size();
      st.written += r.getLong("written", 0L);
      st.reembedded += r.getLong("reembedded", 0L);
      progress.update(st.lines, -1);
      return null;
    });
  }

  private static void fail(RecordParser parser, Promise<JsonObject> done, Throwable err) {
    done.tryFail(err);
    parser.resume(); // the handler ignores the rest once done: drain it unread
  }
}
