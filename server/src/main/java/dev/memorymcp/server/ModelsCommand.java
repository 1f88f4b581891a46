package dev.memorymcp.server;

import dev.memorymcp.bus.Settings;
import dev.memorymcp.embedding.hub.HubDownloader;
import dev.memorymcp.embedding.hub.ModelCard;
import dev.memorymcp.embedding.hub.ModelCards;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * {@code models list}: the hub models that can be chosen by name, and whether each is downloaded;
 * {@code models pull NAME [--revision R] [--onnx-file PATH]}: downloads one into
 * {@code <data_dir>/models/hub/} from {@code MEMORY_MCP_MODELS_HUB_URL} (the Hugging Face hub by
 * default; {@code HF_TOKEN} for gated models), verifying every file; afterwards
 * {@code MEMORY_MCP_EMBEDDING_MODEL=NAME} starts offline. Safe while the service runs (it only
 * reads the files at start).
 */
final class ModelsCommand {
  private ModelsCommand() {}

  static final String USAGE = "usage: models list | models pull NAME [--revision R] [--onnx-file PATH]";

  static int run(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException(USAGE);
    }
    JsonObject cfg = Settings.load(System.getenv());
    Path models = HubDownloader.modelsDir(cfg);
    switch (args[0]) {
      case "list" -> {
        for (ModelCard c : ModelCards.all()) {
          System.out.printf("%-60s %4d dims  %-10s %s%n  %s%n", c.id(), c.dimension(), c.licence(),
              HubDownloader.present(models, c) ? "downloaded" : "not downloaded", c.note());
        }
        for (ModelCard c : ModelCards.rerankers()) {
          System.out.printf("%-60s reranker   %-10s %s%n  %s%n", c.id(), c.licence(),
              HubDownloader.present(models, c) ? "downloaded" : "not downloaded", c.note());
        }
        return 0;
      }
      case "pull" -> {
        if (args.length < 2) {
          throw new IllegalArgumentException(USAGE);
        }
        ModelCard card = ModelCards.find(args[1]);
        boolean isReranker = card == null && ModelCards.findReranker(args[1]) != null;
        if (isReranker) {
          card = ModelCards.findReranker(args[1]);
        }
        if (card == null) {
          throw new IllegalArgumentException("no model card for '" + args[1] + "'; `models list` shows the known ones "
              + "(any other ONNX model works as MEMORY_MCP_EMBEDDING_MODEL=custom with a directory)");
        }
        String revision = cfg.getString("models.revision", "main");
        for (int i = 2; i < args.length; i += 2) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + " needs a value; " + USAGE);
          }
          switch (args[i]) {
            case "--revision" -> revision = args[i + 1];
            case "--onnx-file" -> card = card.withOnnxFile(args[i + 1]);
            default -> throw new IllegalArgumentException("unknown option " + args[i] + "; " + USAGE);
          }
        }
        HubDownloader.fromSettings(cfg, System.err).pull(card, revision, models);
        System.err.println(isReranker ? "use it with MEMORY_MCP_RERANKER_MODEL=" + card.id()
            : "use it with MEMORY_MCP_EMBEDDING_MODEL=" + card.id() + " (then `rebuild` re-embeds a store filled with another model)");
        return 0;
      }
      default -> throw new IllegalArgumentException("unknown models command " + args[0] + "; " + USAGE);
    }
  }
}
