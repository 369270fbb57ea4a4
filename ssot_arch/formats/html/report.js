// ssot-arch's HTML report: the tables of the findings, sortable, filterable and paged.
//
// The page carries its data as JSON (<script type="application/json" id="ssot-data">,
// written by ssot_arch/formats/report_html.py). Every piece of text from the analysed
// repository is put into the page with textContent or as an attribute value, never
// parsed as HTML; links are built from the report's URL template with each path part
// percent-encoded, so a file named "javascript:…" is a relative link, not a script.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("ssot-data").textContent);
  const modules = data.modules; // every module the tables name: [name, path, group indexes]
  const groups = data.groups; // the services, by index
  const PAGE_SIZES = [25, 50, 100, 500];
  const SHOWN_PER_CAUSE = 100;

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null) node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function sourceLink(path, line) {
    const encoded = path.split("/").map(encodeURIComponent).join("/");
    return data.link
      .replaceAll("{path}", encoded)
      .replaceAll("{line}", String(line || 1));
  }

  // A module as a link to its file (and line), or as plain code when it has no file.
  function moduleNode(index, line) {
    const [name, path] = modules[index];
    const code = el("code", {}, name);
    if (!path) return code;
    const title = line ? `${path}:${line}` : path;
    return el("a", { href: sourceLink(path, line), title: title }, code);
  }

  function pathNode(path, line) {
    const shown = line ? `${path}:${line}` : path;
    return el("a", { href: sourceLink(path, line) }, el("code", {}, shown));
  }

  // A leak's chain, hop by hop: the leak's own next hop, then the `hops` of the modules
  // after it, up to a module with no next hop (the restricted module).
  function chainNode(contract, start) {
    const next = contract.next;
    const parts = [];
    let module = start;
    const seen = new Set();
    while (module !== undefined && !seen.has(module)) {
      seen.add(module);
      const hop = next[module];
      if (hop === undefined) {
        parts.push(moduleNode(module));
        break;
      }
      const [via, line] = hop;
      parts.push(moduleNode(module, line), ` (${line ? "l." + line : "its package"}) → `);
      module = via;
    }
    return el("span", { class: "chain" }, ...parts);
  }

  const number = new Intl.NumberFormat("en");

  // How each kind of column shows its value; `row` is the whole row, for the line.
  const cellRenderers = {
    text: (value) => value,
    code: (value) => el("code", {}, value),
    num: (value) => (value === null ? "" : number.format(value)),
    module: (value, row, column) => moduleNode(value, column.line === undefined ? 0 : row[column.line]),
    path: (value, row, column) => pathNode(value, column.line === undefined ? 0 : row[column.line]),
    pct: (value) =>
      el(
        "span",
        { class: "bar", title: `${value.toFixed(1)} %` },
        el("span", { class: "bar-fill", style: `width:${Math.max(0, Math.min(100, value))}%` }),
        el("span", { class: "bar-label" }, `${value.toFixed(1)} %`),
      ),
    status: (value) => el("span", { class: `status status-${value}` }, value),
    modules: (value) => {
      const span = el("span", {});
      value.forEach((index, i) => {
        if (i) span.append(" + ");
        span.append(moduleNode(index));
      });
      return span;
    },
  };

  function sortKey(column, value) {
    if (column.type === "module" || column.type === "chain") return modules[value][0];
    if (column.type === "modules") return value.map((i) => modules[i][0]).join(" ");
    return value;
  }

  function searchText(columns, row) {
    return columns
      .map((column, i) => {
        const value = row[i];
        if (column.type === "module") return modules[value][0] + " " + modules[value][1];
        if (column.type === "chain") return ""; // its first module is the row's own
        if (column.type === "modules") return value.map((m) => modules[m][0]).join(" ");
        return value === null ? "" : String(value);
      })
      .join("\u0000")
      .toLowerCase();
  }

  // The services a row belongs to: those of its `group` column, a module or a name.
  function rowGroups(spec, row) {
    if (spec.group === undefined) return null;
    const value = row[spec.group];
    const column = spec.columns[spec.group];
    if (column.type === "module") return modules[value][2];
    if (column.type === "modules") return value.flatMap((m) => modules[m][2]);
    return [groups.indexOf(value)];
  }

  // One table: a header to sort by, a service filter and a text filter, pages.
  class Table {
    constructor(host, spec, contract) {
      this.host = host;
      this.spec = spec;
      this.contract = contract;
      this.rows = spec.rows;
      this.searchable = null; // built on the first text search
      this.sortColumn = null;
      this.descending = false;
      this.page = 0;
      this.pageSize = spec.pageSize || 25;
      this.visible = this.rows;
      this.open = new Set(); // rows whose detail is shown
      this.build();
      this.refresh();
    }

    build() {
      const spec = this.spec;
      const controls = el("div", { class: "controls" });
      if (spec.group !== undefined) {
        this.service = el("select", { "aria-label": "Service", class: "service-filter" });
        this.service.append(el("option", { value: "" }, "All services"));
        groups.forEach((name, i) => this.service.append(el("option", { value: String(i) }, name)));
        this.service.addEventListener("change", () => this.filter());
        controls.append(el("label", {}, "Service ", this.service));
      }
      this.search = el("input", {
        type: "search",
        placeholder: "Filter…",
        "aria-label": "Filter by text",
        class: "text-filter",
      });
      this.search.addEventListener("input", () => this.filter());
      controls.append(this.search);
      this.count = el("span", { class: "count" });
      controls.append(this.count);
      this.table = el("table", { class: "data" });
      const head = el("tr");
      if (spec.detail) head.append(el("th", { class: "toggle-column" }, ""));
      this.headers = spec.columns.map((column, i) => {
        const button = el("button", { type: "button", class: "sort" }, column.title);
        button.addEventListener("click", () => this.sort(i));
        const th = el("th", { scope: "col", class: `col-${column.type}` }, button);
        head.append(th);
        return th;
      });
      this.table.append(el("thead", {}, head));
      this.body = el("tbody");
      this.table.append(this.body);
      this.pager = el("div", { class: "pager" });
      this.host.append(controls, el("div", { class: "scroll" }, this.table), this.pager);
    }

    filter() {
      const wanted = this.service && this.service.value !== "" ? Number(this.service.value) : null;
      const text = this.search.value.trim().toLowerCase();
      if (text && this.searchable === null) {
        this.searchable = this.rows.map((row) => searchText(this.spec.columns, row));
      }
      this.visible = this.rows.filter((row, i) => {
        if (wanted !== null && !rowGroups(this.spec, row).includes(wanted)) return false;
        return !text || this.searchable[i].includes(text);
      });
      if (this.sortColumn !== null) this.order();
      this.page = 0;
      this.refresh();
    }

    sort(index) {
      this.descending = this.sortColumn === index ? !this.descending : false;
      this.sortColumn = index;
      this.order();
      this.headers.forEach((th, i) =>
        th.setAttribute("aria-sort", i === index ? (this.descending ? "descending" : "ascending") : "none"),
      );
      this.page = 0;
      this.refresh();
    }

    order() {
      const column = this.spec.columns[this.sortColumn];
      const index = this.sortColumn;
      const sign = this.descending ? -1 : 1;
      const keyed = this.visible.map((row, position) => [sortKey(column, row[index]), position, row]);
      keyed.sort((a, b) => {
        if (a[0] < b[0]) return -sign;
        if (a[0] > b[0]) return sign;
        return a[1] - b[1];
      });
      this.visible = keyed.map((item) => item[2]);
    }

    refresh() {
      const total = this.visible.length;
      const pages = Math.max(1, Math.ceil(total / this.pageSize));
      this.page = Math.min(this.page, pages - 1);
      const first = this.page * this.pageSize;
      const shown = this.visible.slice(first, first + this.pageSize);
      const rows = [];
      for (const row of shown) {
        rows.push(this.rowNode(row));
        if (this.open.has(row)) rows.push(this.detailNode(row));
      }
      this.body.replaceChildren(...rows);
      if (!total) {
        const width = this.spec.columns.length + (this.spec.detail ? 1 : 0);
        this.body.append(el("tr", {}, el("td", { colspan: width, class: "empty" }, "No rows match.")));
      }
      const all = this.rows.length;
      this.count.textContent =
        total === all ? `${number.format(all)} rows` : `${number.format(total)} of ${number.format(all)} rows`;
      this.renderPager(pages, first, shown.length, total);
    }

    rowNode(row) {
      const tr = el("tr");
      if (this.spec.detail) {
        const expanded = this.open.has(row);
        const toggle = el(
          "button",
          { type: "button", class: "toggle", "aria-expanded": String(expanded), title: "Show the leaks" },
          expanded ? "▾" : "▸",
        );
        toggle.addEventListener("click", () => {
          if (this.open.has(row)) this.open.delete(row);
          else this.open.add(row);
          this.refresh();
        });
        tr.append(el("td", { class: "toggle-column" }, toggle));
      }
      this.spec.columns.forEach((column, i) => {
        const render = cellRenderers[column.type];
        tr.append(el("td", { class: `col-${column.type}` }, render(row[i], row, column)));
      });
      return tr;
    }

    detailNode(row) {
      const width = this.spec.columns.length + 1;
      return el("tr", { class: "detail" }, el("td", { colspan: width }, details[this.spec.detail](this.contract, row)));
    }

    renderPager(pages, first, count, total) {
      const go = (page) => () => {
        this.page = page;
        this.refresh();
      };
      const button = (label, page, disabled, name) => {
        const node = el("button", { type: "button", "aria-label": name }, label);
        node.disabled = disabled;
        node.addEventListener("click", go(page));
        return node;
      };
      const size = el("select", { "aria-label": "Rows per page" });
      for (const option of PAGE_SIZES) {
        const node = el("option", { value: String(option) }, `${option} per page`);
        if (option === this.pageSize) node.selected = true;
        size.append(node);
      }
      size.addEventListener("change", () => {
        this.pageSize = Number(size.value);
        this.page = 0;
        this.refresh();
      });
      const where = total ? `${number.format(first + 1)}–${number.format(first + count)} of ${number.format(total)}` : "";
      this.pager.replaceChildren(
        button("«", 0, this.page === 0, "First page"),
        button("‹", this.page - 1, this.page === 0, "Previous page"),
        el("span", { class: "where" }, where),
        button("›", this.page + 1, this.page >= pages - 1, "Next page"),
        button("»", pages - 1, this.page >= pages - 1, "Last page"),
        size,
      );
      this.pager.hidden = total <= PAGE_SIZES[0];
    }
  }

  // What a row with a detail shows when opened.
  const details = {
    // A cause's leaks, each with its chain (the first SHOWN_PER_CAUSE, then a button).
    leaksOfCause(contract, row) {
      const leaks = contract.byCause.get(row[0]) || [];
      const list = el("ul", { class: "chains" });
      const add = (from, to) => {
        for (const leak of leaks.slice(from, to)) list.append(el("li", {}, chainNode(contract, leak)));
      };
      add(0, SHOWN_PER_CAUSE);
      const box = el("div", {}, el("p", {}, `${number.format(leaks.length)} leaks end here:`), list);
      if (leaks.length > SHOWN_PER_CAUSE) {
        const more = el("button", { type: "button" }, `Show all ${number.format(leaks.length)}`);
        more.addEventListener("click", () => {
          add(SHOWN_PER_CAUSE, leaks.length);
          more.remove();
        });
        box.append(more);
      }
      return box;
    },
  };

  // Each contract's next hops, and its leaks by cause.
  for (const contract of data.contracts) {
    contract.next = Object.create(null);
    contract.byCause = new Map();
    for (const [module, via, line] of contract.hops) contract.next[module] = [via, line];
    for (const [module, , cause] of contract.leaks) {
      if (!contract.byCause.has(cause)) contract.byCause.set(cause, []);
      contract.byCause.get(cause).push(module);
    }
  }

  cellRenderers.chain = (value, row, column) => chainNode(data.contracts[column.contract], value);

  for (const host of document.querySelectorAll("[data-table]")) {
    const spec = data.tables[host.dataset.table];
    const contract = spec.contract === undefined ? null : data.contracts[spec.contract];
    host.table = new Table(host, spec, contract);
  }
  document.body.dataset.ready = "true";
})();
