"""The dashboard's styles (nothing is loaded from elsewhere)."""

from __future__ import annotations

#: Styles of the dashboard and of the projector screen, added after the apps' shared STYLE.
DASHBOARD_STYLE = """
<style>
.et-bar{display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center;border:2px solid #5b7db1;
  border-radius:10px;padding:6px 14px;background:#fff;line-height:1.3;box-sizing:border-box;
  max-width:100%}
.et-bar svg{display:block}
.et-bar-code{font-family:monospace;font-size:34px;font-weight:800;letter-spacing:.1em;
  color:#1c2b45;white-space:nowrap}
.et-bar-name{font-weight:700;font-size:17px}
.et-bar-url{overflow-wrap:anywhere}
.et-ended-note{background:#fdf0ef;color:#6d1f1b;border:1px solid #e6b4b0;border-radius:6px;
  padding:2px 8px;font-weight:600}
.et-badge{display:inline-block;border-radius:5px;padding:0 6px;font-weight:600;color:#fff;
  font-size:.85em}
.et-good{background:#1f5e3a}.et-fair{background:#9a6a00}.et-below-fair{background:#a8322d}
.et-no-data{background:#8a919c}
.et-overview{overflow-x:auto;max-width:100%}
.et-overview table.et-table{width:100%;font-size:14px;line-height:1.3}
.et-overview td{white-space:nowrap;vertical-align:middle}
.et-overview table.et-table td,.et-overview table.et-table th{padding:4px 6px}
.et-overview th{vertical-align:bottom;font-size:.92em}
.et-overview td.et-title{white-space:normal;min-width:8rem}
.et-overview td.et-blocks{white-space:normal;font-size:.9em}
.et-spread{display:flex;width:6rem;height:14px;border-radius:3px;overflow:hidden;
  background:#eef0f3}
.et-spread span{display:block;height:100%}
.et-legend span{display:inline-block;width:.8em;height:.8em;border-radius:2px;
  margin:0 2px 0 8px;vertical-align:-1px}
.et-feed{max-height:30rem;overflow-y:auto;padding-right:6px}
.et-feed-item{border-bottom:1px solid #e1e4e8;padding:5px 0;font-size:14px}
.et-feed-item .et-response{margin-top:3px}
.et-safety{display:inline-block;border-radius:5px;padding:1px 8px;font-weight:700;color:#fff;
  background:#a8322d;font-size:.9em}
.et-detail p{margin:3px 0}
.et-section{font-weight:700;font-size:16px;margin:6px 0 2px 0}
.et-download a{color:#1a5fb4;text-decoration:underline;font-weight:600}
.et-confirm{border:2px solid #a8322d;border-radius:8px;padding:6px 12px;background:#fdf0ef}
.et-projector-screen{position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:10000;
  background:#fff;color:#14181f;overflow-y:auto;box-sizing:border-box;padding:4vh 5vw 3vh 5vw;
  margin:0}
.et-projector-screen .et-exit{position:fixed;top:6px;right:8px;opacity:.25;z-index:10001;
  font-size:12px}
.et-projector-screen .et-exit:hover,.et-projector-screen .et-exit:focus{opacity:1}
.et-slide{font-size:clamp(20px,2.7vw,44px);line-height:1.35;max-width:64em;margin:0 auto;
  padding-top:.6em}
.et-slide-title{font-size:.75em;color:#4a5261;text-transform:uppercase;letter-spacing:.06em}
.et-slide-quote{font-size:1.05em;border-left:.25em solid #5b7db1;margin:.3em 0 .6em 0;
  padding:.1em .6em}
.et-slide-progress{font-size:.8em;color:#2f3a4a;font-weight:600;margin:.2em 0 .5em 0}
.et-slide ol{margin:.2em 0 .6em 0;padding-left:1.6em}
.et-slide ol li{margin:0 0 .5em 0;padding-left:.2em}
.et-slide-models{font-size:.8em;border-top:2px solid #c9ced6;margin-top:.6em;padding-top:.3em}
.et-slide-models li{margin:0 0 .4em 0}
.et-slide-join{display:flex;flex-wrap:wrap;gap:1em 2em;align-items:center;margin:.4em 0}
.et-slide-join svg{width:min(42vh,80vw);height:auto;display:block}
.et-slide-code{font-family:monospace;font-size:2.6em;font-weight:800;letter-spacing:.1em;
  color:#1c2b45;line-height:1.1;white-space:nowrap}
.et-slide-foot{font-size:.55em;color:#4a5261;margin-top:1em;overflow-wrap:anywhere}
.et-slide-ended{font-size:1em;font-weight:700;color:#6d1f1b}
@media (max-width:700px){
  .et-overview .et-wide{display:none}
  .et-overview table.et-table td,.et-overview table.et-table th{padding:4px 4px}
  .et-spread{width:4rem}
  .et-overview td.et-title{min-width:6rem}
  .et-bar-code{font-size:26px}
  .et-slide-code{font-size:1.8em}
}
</style>
"""
