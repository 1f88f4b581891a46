package dev.memorymcp.gateway;

import io.vertx.core.json.JsonObject;

/**
 * The knowledge graph as one HTML file that opens anywhere without network: the dashboard's own
 * drawing code (webroot/graph.js) inlined, with the graph's JSON beside it.
 */
public final class GraphExport {
  private final String script;

  public GraphExport() {
    script = DashboardRoutes.resource("/webroot/graph.js");
  }

  public String html(JsonObject graph) {
    // inside a script element only "</" can end it early
    String data = graph.encode().replace("</", "<\\/");
    String title = escape("Memory graph: " + graph.getString("namespace")
        + (graph.getString("scope_id") == null ? "" : " / " + graph.getString("scope_id")));
    return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title + "</title>\n"
        + "<style>body{font-family:system-ui,'Hiragino Sans','Noto Sans JP',sans-serif;margin:0}"
        + "header{padding:8px 12px;border-bottom:1px solid #ddd}svg{width:100vw;height:calc(100vh - 90px)}"
        + "#detail{padding:8px 12px;min-height:2em;border-top:1px solid #ddd;white-space:pre-wrap}</style></head>\n"
        + "<body><header><strong>" + title + "</strong> <span id=\"counts\"></span></header>\n"
        + "<svg id=\"graph\" role=\"img\" aria-label=\"memory graph\"></svg><div id=\"detail\">Click a memory.</div>\n"
        + "<script type=\"application/json\" id=\"graph-data\">" + data + "</script>\n"
        + "<script>" + script.replace("</script", "<\\/script") + "</script>\n"
        + "<script>const g=JSON.parse(document.getElementById('graph-data').textContent);"
        + "const c=MemoryGraph.drawGraph(document.getElementById('graph'),g,d=>{"
        + "document.getElementById('detail').textContent=d.type+(d.category?' · '+d.category:'')+' · '+d.id+'\\n'+d.content;});"
        + "document.getElementById('counts').textContent=c.nodes+' memories, '+c.edges+' relations';</script>\n"
        + "</body></html>\n";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
