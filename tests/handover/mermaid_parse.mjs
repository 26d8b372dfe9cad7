// Parses Mermaid diagrams with mermaid's own parser, headless (jsdom stands in for the browser).
// Reads a JSON array of diagram texts on stdin; prints, for each, either {"error": message} or
// the parsed flowchart: vertices, subgraphs and edges with their labels decoded as a browser
// would show them. Run from the folder holding node_modules (tests/handover/test_mermaid.py
// copies it there).
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

// mermaid keeps entity codes (#34;) in an internal form until it renders: decode them the same way.
function decode(text) {
  const html = String(text ?? '').replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';');
  const area = document.createElement('textarea');
  area.innerHTML = html;
  return area.value;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  try {
    await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    results.push({
      type: diagram.type,
      vertices: [...db.getVertices().values()].map((v) => ({ id: v.id, label: decode(v.text) })),
      subgraphs: db.getSubGraphs().map((s) => ({ id: s.id, label: decode(s.title), nodes: s.nodes })),
      edges: db.getEdges().map((e) => ({ start: e.start, end: e.end, label: decode(e.text) })),
    });
  } catch (error) {
    results.push({ error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
