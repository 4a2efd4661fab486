/*
 * The OCI punch-out console inside Saleor's Dashboard. Plain JavaScript, no build.
 *
 * App Bridge protocol of @saleor/app-sdk 1.15.0 (src/app-bridge): the page posts
 * {type: "notifyReady", payload: {actionId}} to its parent; the Dashboard answers
 * {type: "handshake", payload: {token, version, saleorVersion, dashboardVersion}},
 * later {type: "tokenRefresh", payload: {token}} and {type: "theme", payload:
 * {theme: "light" | "dark"}}; the iframe URL carries ?theme=...&id=...&saleorApiUrl=.
 * Messages are accepted only from the configured Dashboard origin. The token lives
 * in this closure only: never in a URL, a cookie or storage.
 */
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("oci-console-settings").textContent);
  var params = new URL(window.location.href).searchParams;
  var token = null;
  var started = false;
  var app = document.getElementById("app");

  function applyTheme(theme) {
    if (theme === "dark" || theme === "light") {
      document.documentElement.setAttribute("data-theme", theme);
    }
  }
  applyTheme(params.get("theme"));

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function page(title, children) {
    app.textContent = "";
    app.appendChild(el("h1", { text: title }));
    children.forEach(function (child) { if (child) app.appendChild(child); });
  }

  function notAllowed(reason) {
    page("Not allowed", [
      el("div", { class: "notice", id: "not-allowed" }, [
        el("p", { class: "notice-title", text: "Your account may not use this page." }),
        reason ? el("p", { class: "muted", text: reason }) : null,
        el("p", { text: "Ask an administrator for the permission it needs: Manage plugins " +
          "and Manage customers for organisations; Manage orders for purchase orders, " +
          "inbound messages, invoice runs and an order's invoices." }),
      ]),
    ]);
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + Math.random();
  }

  // --- App Bridge --------------------------------------------------------------
  window.addEventListener("message", function (event) {
    if (!settings.dashboardOrigin || event.origin !== settings.dashboardOrigin) return;
    var data = event.data || {};
    var payload = data.payload || {};
    if (data.type === "handshake") {
      token = payload.token || null;
      if (!token) { notAllowed("The Dashboard gave this page no token."); return; }
      if (!started) { started = true; route(); }
    } else if (data.type === "tokenRefresh") {
      if (payload.token) token = payload.token;
    } else if (data.type === "theme") {
      applyTheme(payload.theme);
    }
  });

  function dispatch(type, payload) {
    payload = Object.assign({ actionId: uuid() }, payload || {});
    window.parent.postMessage({ type: type, payload: payload }, settings.dashboardOrigin);
  }

  // --- GraphQL -------------------------------------------------------------------
  function PermissionDenied(message) { this.message = message; }

  function gql(query, variables) {
    return post(JSON.stringify({ query: query, variables: variables || {} }), "application/json");
  }

  // A file for the Upload variable "name": a GraphQL multipart request (operations,
  // map, then the file), as Saleor's own file mutations take it.
  function gqlUpload(query, variables, name, file) {
    var body = new FormData();
    var all = Object.assign({}, variables || {});
    all[name] = null;
    body.append("operations", JSON.stringify({ query: query, variables: all }));
    body.append("map", JSON.stringify({ 0: ["variables." + name] }));
    body.append("0", file, file.name);
    return post(body, null);
  }

  function post(body, contentType) {
    var headers = { Authorization: "Bearer " + token };
    // FormData sets its own multipart type, with the boundary.
    if (contentType) headers["Content-Type"] = contentType;
    return fetch(settings.graphqlUrl, {
      method: "POST",
      credentials: "omit",
      headers: headers,
      body: body,
    }).then(function (response) { return response.json(); }).then(function (body) {
      var errors = body.errors || [];
      var denied = errors.filter(function (error) {
        return (error.extensions || {}).exception &&
          error.extensions.exception.code === "PermissionDenied";
      });
      if (denied.length) throw new PermissionDenied(denied[0].message);
      if (errors.length) throw new Error(errors.map(function (e) { return e.message; }).join(" "));
      return body.data;
    });
  }

  function failed(error) {
    if (error instanceof PermissionDenied) notAllowed(error.message);
    else page("Something went wrong", [el("div", { class: "banner error", text: String(error.message || error) })]);
  }

  function nodes(connection) { return (connection.edges || []).map(function (e) { return e.node; }); }

  // --- forms: a label, the help next to the field, the error under it ----------------
  // Several forms on a page have a field of the same name: each input gets an ID
  // of its own, so that its label (and a click on it) finds it and no other.
  var fieldCount = 0;
  function field(name, label, help, input) {
    input = input || el("input", {});
    input.setAttribute("name", name);
    fieldCount += 1;
    input.id = input.id || "f-" + name + "-" + fieldCount;
    return el("div", { class: "field", "data-field": name }, [
      el("label", { for: input.id, text: label }), input,
      help ? el("p", { class: "help", text: help }) : null,
    ]);
  }

  function form(id, fields, submitLabel, onSubmit) {
    var banner = el("div", { class: "form-banner" });
    var node = el("form", { id: id, novalidate: "novalidate" }, fields.concat([
      banner, el("button", { class: "primary", type: "submit", text: submitLabel }),
    ]));
    node.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(node);
      var values = {};
      Array.prototype.forEach.call(node.elements, function (input) {
        if (input.name) values[input.name] = input.type === "checkbox" ? input.checked : input.value;
      });
      onSubmit(values, node).catch(function (error) {
        if (error instanceof PermissionDenied) { notAllowed(error.message); return; }
        banner.appendChild(el("div", { class: "banner error", text: String(error.message || error) }));
      });
    });
    return node;
  }

  function clearErrors(node) {
    node.querySelectorAll(".error, .banner").forEach(function (e) { e.remove(); });
    node.querySelectorAll(".invalid").forEach(function (e) { e.classList.remove("invalid"); });
  }

  // Shows each GraphQL error next to its field; false when there were any.
  function showErrors(node, errors, fieldOf) {
    if (!errors || !errors.length) return true;
    errors.forEach(function (error) {
      var name = (fieldOf && fieldOf[error.field]) || error.field;
      var holder = name && node.querySelector('[data-field="' + name + '"]');
      var message = el("p", { class: "error", text: error.message });
      var input = holder && holder.querySelector("input, textarea, select");
      if (input) { holder.classList.add("invalid"); input.insertAdjacentElement("afterend", message); }
      else node.querySelector(".form-banner").appendChild(el("div", { class: "banner error", text: error.message }));
    });
    return false;
  }

  function lines(text) {
    return String(text || "").split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
  }

  function table(headers, rows, onClick) {
    return el("table", {}, [
      el("thead", {}, [el("tr", {}, headers.map(function (h) { return el("th", { text: h }); }))]),
      el("tbody", {}, rows.map(function (row) {
        var tr = el("tr", onClick ? { class: "clickable" } : {}, row.cells.map(function (cell) {
          var text = typeof cell === "string" || typeof cell === "number" ? String(cell) : null;
          return el("td", text !== null && text.length > 40 ? { class: "wrap" } : {}, [text !== null ? text : cell]);
        }));
        if (onClick) tr.addEventListener("click", function () { onClick(row.item); });
        return tr;
      })),
    ]);
  }

  function secretShownOnce(title, value) {
    return el("div", { class: "banner ok secret-once" }, [
      el("strong", { text: title + " (shown once: copy it now, only its hash is kept): " }),
      el("code", { class: "secret", text: value }),
    ]);
  }

  function randomSecret() {
    var bytes = new Uint8Array(24);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/[+/=]/g, "x");
  }

  // The PDF copy the UBL carries (BT-125), as bytes; null when it has none.
  function embeddedPdf(xml) {
    var doc = new DOMParser().parseFromString(xml, "application/xml");
    var found = doc.getElementsByTagNameNS("urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2", "EmbeddedDocumentBinaryObject");
    for (var n = 0; n < found.length; n++) {
      if (found[n].getAttribute("mimeCode") === "application/pdf") {
        var text = atob(found[n].textContent.replace(/\s+/g, ""));
        var bytes = new Uint8Array(text.length);
        for (var k = 0; k < text.length; k++) bytes[k] = text.charCodeAt(k);
        return bytes;
      }
    }
    return null;
  }

  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var link = el("a", { href: url, download: name });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  // --- organisations ------------------------------------------------------------------
  var ADDRESS = "{ companyName firstName lastName streetAddress1 streetAddress2 postalCode city country { code } }";
  var ADDRESSES = "invoiceAddress " + ADDRESS + " deliveryAddress " + ADDRESS;
  var ORGANISATION = "id name legalId legalIdScheme vatNumber invoiceEmail logoUrl " + ADDRESSES +
    " branches { id name code defaultCostCentre " + ADDRESSES + " }";
  var MEMBER = "id email firstName lastName role isActive";
  var ROLES = [["ORDERER", "Orderer: shops"], ["ADMIN", "Administrator: manages the organisation"]];

  // --- addresses: Saleor's AddressInput, one fieldset per address ----------------------
  // Each input is named by the address field's path (invoiceAddress.postalCode), as
  // Saleor names its errors, so that an error lands under the input it is about.
  var ADDRESS_PARTS = [
    ["companyName", "Company", "As it should head invoices or the parcel label."],
    ["firstName", "First name", "Of a person to address it to (optional)."],
    ["lastName", "Last name", "Optional."],
    ["streetAddress1", "Street and number", "E.g. Stadsplateau 1."],
    ["streetAddress2", "Street, second line", "Building, floor, department (optional)."],
    ["postalCode", "Postcode", "As the country writes it, e.g. 3521 AZ in the Netherlands."],
    ["city", "City", null],
    ["country", "Country", "Two letters, e.g. NL or BE."],
  ];

  // Side by side in the fieldset: a name's two parts, postcode and city.
  var HALF_WIDTH = ["firstName", "lastName", "postalCode", "city"];

  function addressFieldset(prefix, legend, address) {
    address = address || {};
    return el("fieldset", { class: "address", "data-address": prefix }, [el("legend", { text: legend })].concat(
      ADDRESS_PARTS.map(function (part) {
        var value = part[0] === "country" ? (address.country || {}).code : address[part[0]];
        var node = field(prefix + "." + part[0], part[1], part[2], el("input", { value: value || "" }));
        if (HALF_WIDTH.indexOf(part[0]) >= 0) node.classList.add("half");
        return node;
      })));
  }

  function addressFieldsets(address) {
    return el("div", { class: "address-pair" }, [
      addressFieldset("invoiceAddress", "Invoice address", address.invoiceAddress),
      addressFieldset("deliveryAddress", "Delivery address", address.deliveryAddress),
    ]);
  }

  // The AddressInput from a form's values: null when every part is empty (no
  // address); problems found before asking Saleor go to `problems`.
  function addressInput(values, prefix, problems) {
    var input = {};
    var given = false;
    ADDRESS_PARTS.forEach(function (part) {
      var value = String(values[prefix + "." + part[0]] || "").trim();
      if (value) given = true;
      if (part[0] === "country") {
        value = value.toUpperCase();
        if (value && !/^[A-Z]{2}$/.test(value)) {
          problems.push({ field: prefix + ".country", message: "Two letters, e.g. NL." });
        }
        if (value) input.country = value;
      } else input[part[0]] = value;
    });
    return given ? input : null;
  }

  // `query` takes $id and $input and answers `key { errors { field code message } }`.
  function addressesForm(id, owner, query, key, done) {
    return form(id, [addressFieldsets(owner)], "Save addresses", function (values, node) {
      var problems = [];
      var input = {
        invoiceAddress: addressInput(values, "invoiceAddress", problems),
        deliveryAddress: addressInput(values, "deliveryAddress", problems),
      };
      if (!showErrors(node, problems)) return Promise.resolve();
      return gql(query, { id: owner.id, input: input }).then(function (data) {
        if (showErrors(node, data[key].errors)) return done();
      });
    });
  }
  var CONNECTION = "id name loginName isActive hookUrlAllowlist fieldMapping nziField " +
    "nziOverrides { products { key code } categories { key code } } " +
    "cxmlIdentity hasCxmlSharedSecret hasOrderToken failedLogins lockedUntil " +
    "channel { slug } customer { email }";

  function organisations() {
    return gql("{ ociOrganisationsPaged(first: 100) { edges { node { " + ORGANISATION + " } } } }")
      .then(function (data) {
        var items = nodes(data.ociOrganisationsPaged);
        page("Punch-out organisations", [
          el("p", { class: "muted", text: "Business customers who buy from their procurement system. Choose one to see its branches, members and connections." }),
          items.length ? table(["Name", "Legal ID", "Branches", "Invoice e-mail"], items.map(function (o) {
            return { item: o, cells: [o.name, o.legalId ? o.legalIdScheme + " " + o.legalId : "–", String(o.branches.length), o.invoiceEmail || "–"] };
          }), organisation) : el("p", { class: "muted", text: "No organisations yet." }),
          el("h2", { text: "New organisation" }),
          form("organisation-create", [
            field("name", "Name", "The customer's registered name, as on invoices."),
            field("legalId", "KvK number", "8 digits, from the Chamber of Commerce register (optional)."),
            field("vatNumber", "VAT number", "With country code, e.g. NL001234567B01 (optional)."),
            field("invoiceEmail", "Invoice e-mail", "Where UBL invoices are sent (optional)."),
          ], "Create organisation", function (values, node) {
            var input = { name: values.name };
            if (values.legalId) { input.legalId = values.legalId; input.legalIdScheme = "KVK"; }
            if (values.vatNumber) input.vatNumber = values.vatNumber;
            if (values.invoiceEmail) input.invoiceEmail = values.invoiceEmail;
            return gql("mutation($input: OciOrganisationCreateInput!) { ociOrganisationCreate(input: $input) { errors { field code message } organisation { id } } }", { input: input })
              .then(function (data) {
                var result = data.ociOrganisationCreate;
                if (showErrors(node, result.errors)) return organisations();
              });
          }),
        ]);
      });
  }

  function organisation(org, notice) {
    return Promise.all([
      gql("query($id: ID!) { ociConnectionsPaged(organisation: $id, first: 100) { edges { node { " + CONNECTION + " } } } }", { id: org.id }),
      gql("query($id: ID!) { ociMembers(organisation: $id, first: 100) { edges { node { " + MEMBER + " } } } }", { id: org.id }).catch(function () { return null; }),
    ]).then(function (results) {
      var connections = nodes(results[0].ociConnectionsPaged);
      var members = results[1] ? nodes(results[1].ociMembers) : [];
      // What was saved is said in its own section: {at: "addresses" | "members", text}.
      function saved(at, text) { return function () { return reloadOrganisation(org.id, { at: at, text: text }); }; }
      var shown = notice ? el("div", { class: "banner ok", id: "organisation-notice", text: notice.text }) : null;
      function noticeAt(at) { return notice && notice.at === at ? shown : null; }
      page(org.name, [
        el("div", { class: "actions" }, [el("button", { type: "button", text: "← All organisations", onclick: organisations })]),
        el("h2", { text: "Addresses" }),
        noticeAt("addresses"),
        el("p", { class: "muted", text: "The invoice address heads consolidated invoices and those of branches without one; orders whose purchase order names no address get these. Leave every line of one empty to have none." }),
        addressesForm("organisation-addresses", org,
          "mutation($id: ID!, $input: OciOrganisationInput!) { ociOrganisationUpdate(id: $id, input: $input) { errors { field code message } } }",
          "ociOrganisationUpdate", saved("addresses", "Addresses of " + org.name + " saved.")),
        el("h2", { text: "Logo" }),
        noticeAt("logo"),
        logoSection(org, saved("logo", "Logo of " + org.name + " saved."), saved("logo", "Logo of " + org.name + " removed.")),
        el("h2", { text: "Branches" }),
        org.branches.length ? table(["Name", "Code", "Default cost centre"], org.branches.map(function (b) {
          return { item: b, cells: [b.name, b.code || "–", b.defaultCostCentre || "–"] };
        })) : el("p", { class: "muted", text: "No branches." }),
        org.branches.length ? el("div", {}, org.branches.map(function (b, index) {
          var at = "branch-" + b.id;
          // Open again after a save, with what was saved.
          return el("details", Object.assign({ class: "branch-addresses", id: "branch-addresses-" + index }, noticeAt(at) ? { open: "open" } : {}), [
            el("summary", { text: "Addresses of " + b.name }),
            noticeAt(at),
            el("p", { class: "muted", text: "Empty: the organisation's are used." }),
            addressesForm("branch-addresses-form-" + index, b,
              "mutation($id: ID!, $input: OciBranchInput!) { ociBranchUpdate(id: $id, input: $input) { errors { field code message } } }",
              "ociBranchUpdate", saved(at, "Addresses of " + b.name + " saved.")),
          ]);
        })) : null,
        el("h3", { text: "New branch" }),
        form("branch-create", [
          field("name", "Branch name", "E.g. a hospital location or a department."),
          field("code", "Code", "The customer's own code for it (optional)."),
        ], "Add branch", function (values, node) {
          return gql("mutation($input: OciBranchCreateInput!) { ociBranchCreate(input: $input) { errors { field code message } } }",
            { input: { organisation: org.id, name: values.name, code: values.code || null } })
            .then(function (data) { if (showErrors(node, data.ociBranchCreate.errors)) return reloadOrganisation(org.id); });
        }),
        el("h2", { text: "Members" }),
        noticeAt("members"),
        members.length ? table(["E-mail", "Name", "Role", "Active", ""], members.map(function (m, index) {
          var actions = memberActions(m, index, function (text) { return saved("members", text)(); });
          return { item: m, cells: [m.email, [m.firstName, m.lastName].filter(Boolean).join(" ") || "–",
            actions.role, m.isActive ? "yes" : "no", actions.toggle] };
        })) : el("p", { class: "muted", text: "No members." }),
        el("h3", { text: "Invite a member" }),
        form("member-invite", [
          field("email", "E-mail", "They sign in with it; Saleor sends them a link to choose a password."),
          field("firstName", "First name", null),
          field("lastName", "Last name", null),
          field("role", "Role", "Administrators manage the organisation's members, branches and addresses in the portal.",
            el("select", {}, ROLES.map(function (r) { return el("option", { value: r[0], text: r[1] }); }))),
          field("redirectUrl", "Set-password page", "The portal's page the invitation link leads to, e.g. https://shop.example.com/portal/set-password; Saleor adds the e-mail and a token. Its host must be one of Saleor's ALLOWED_CLIENT_HOSTS."),
        ], "Invite", function (values, node) {
          return gql("mutation($input: OciMemberInviteInput!) { ociMemberInvite(input: $input) { errors { field code message } member { email } delivery } }",
            { input: { organisation: org.id, email: values.email, firstName: values.firstName, lastName: values.lastName,
              role: values.role, redirectUrl: values.redirectUrl } }).then(function (data) {
            var r = data.ociMemberInvite;
            if (showErrors(node, r.errors)) {
              return saved("members", "Invited " + r.member.email + (r.delivery === "SALEOR" ? " (Saleor sends the invitation)." : " (sent by the plugin's mail)."))();
            }
          });
        }),
        el("h2", { text: "Connections" }),
        connections.length ? table(["Name", "Login", "Active", "Channel"], connections.map(function (c) {
          return { item: c, cells: [c.name, c.loginName, c.isActive ? "yes" : "no", c.channel.slug] };
        }), function (c) { connection(org, c); }) : el("p", { class: "muted", text: "No connections." }),
        el("h3", { text: "New connection" }),
        form("connection-create", [
          field("name", "Name", "E.g. the procurement system's name."),
          field("loginName", "Login name", "The USERNAME the procurement system sends at punch-in."),
          field("channel", "Channel slug", "The Saleor channel the buyer shops in."),
          field("customer", "Customer account e-mail", "The Saleor customer account that shops when the punch-in names no member."),
          field("hookUrlAllowlist", "Allowed HOOK_URLs", "One scheme and host per line, e.g. https://srm.example.com; other return addresses are refused.", el("textarea")),
        ], "Create connection", function (values, node) {
          return gql("query($slug: String, $email: String) { channel(slug: $slug) { id } user(email: $email) { id } }",
            { slug: values.channel, email: values.customer }).then(function (found) {
            var missing = [];
            if (!found.channel) missing.push({ field: "channel", message: "No channel has this slug." });
            if (!found.user) missing.push({ field: "customer", message: "No customer account has this e-mail." });
            if (!showErrors(node, missing)) return;
            var password = randomSecret();
            return gql("mutation($input: OciConnectionCreateInput!) { ociConnectionCreate(input: $input) { errors { field code message } connection { " + CONNECTION + " } } }",
              { input: { organisation: org.id, name: values.name, loginName: values.loginName, channel: found.channel.id,
                customer: found.user.id, password: password, hookUrlAllowlist: lines(values.hookUrlAllowlist) } })
              .then(function (data) {
                var result = data.ociConnectionCreate;
                if (showErrors(node, result.errors)) connection(org, result.connection, secretShownOnce("Password", password));
              });
          });
        }),
      ]);
      if (shown && shown.isConnected) shown.scrollIntoView({ block: "center" });
    });
  }

  // The organisation's greeting-card logo: shown, replaced (ociLogoUpload), removed.
  var LOGO_ERRORS = "errors { field code message }";
  function logoSection(org, uploaded, removed) {
    var shown = org.logoUrl
      ? el("p", {}, [el("img", { class: "logo", id: "organisation-logo", src: org.logoUrl, alt: "Logo of " + org.name })])
      : el("p", { class: "muted", id: "organisation-no-logo", text: "No logo: its greeting cards print none." });
    var upload = form("organisation-logo-form", [
      field("image", "New logo", "PNG, JPEG or WebP (no SVG), at most 5 MB and 4000 x 4000 pixels; printed on greeting cards. A branch's own logo (portal or API) wins.",
        el("input", { type: "file", accept: "image/png,image/jpeg,image/webp" })),
    ], "Upload logo", function (values, node) {
      var file = node.querySelector("input[type=file]").files[0];
      if (!file) {
        showErrors(node, [{ field: "image", message: "Choose a PNG, JPEG or WebP file." }]);
        return Promise.resolve();
      }
      return gqlUpload("mutation($organisation: ID, $image: Upload!) { ociLogoUpload(organisation: $organisation, image: $image) { " + LOGO_ERRORS + " } }",
        { organisation: org.id }, "image", file).then(function (data) {
        if (showErrors(node, data.ociLogoUpload.errors)) return uploaded();
      });
    });
    var remove = org.logoUrl ? el("button", { type: "button", id: "organisation-logo-remove", text: "Remove logo", onclick: function () {
      gql("mutation($organisation: ID) { ociLogoDelete(organisation: $organisation) { " + LOGO_ERRORS + " } }", { organisation: org.id })
        .then(removed).catch(failed);
    } }) : null;
    return el("div", { class: "logo-section" }, [shown, upload, remove]);
  }

  function reloadOrganisation(id, notice) {
    return gql("{ ociOrganisationsPaged(first: 100) { edges { node { " + ORGANISATION + " } } } }").then(function (data) {
      var org = nodes(data.ociOrganisationsPaged).filter(function (o) { return o.id === id; })[0];
      return org ? organisation(org, notice) : organisations();
    });
  }

  // A member's row: the role (a change is saved at once) and deactivate or
  // reactivate; a refusal shows under the control it is about.
  function memberActions(m, index, saved) {
    var roleCell = el("span", { class: "member-action", id: "member-role-cell-" + index });
    var toggleCell = el("span", { class: "member-action", id: "member-toggle-cell-" + index });
    var role = el("select", { id: "member-role-" + index, "aria-label": "Role of " + m.email }, ROLES.map(function (r) {
      return el("option", Object.assign({ value: r[0], text: r[0] === "ADMIN" ? "Administrator" : "Orderer" }, m.role === r[0] ? { selected: "selected" } : {}));
    }));
    function update(input, cell, done) {
      [roleCell, toggleCell].forEach(function (c) { c.querySelectorAll(".error").forEach(function (e) { e.remove(); }); });
      var said = document.getElementById("organisation-notice");
      if (said) said.remove(); // about an earlier change
      gql("mutation($id: ID!, $input: OciMemberUpdateInput!) { ociMemberUpdate(id: $id, input: $input) { errors { field code message } } }",
        { id: m.id, input: input }).then(function (data) {
        var errors = data.ociMemberUpdate.errors;
        if (!errors.length) return saved(done);
        role.value = m.role;
        errors.forEach(function (e) { cell.appendChild(el("p", { class: "error", text: e.message })); });
      }).catch(failed);
    }
    role.addEventListener("change", function () {
      update({ role: role.value }, roleCell, m.email + " is now " + (role.value === "ADMIN" ? "an administrator." : "an orderer."));
    });
    roleCell.appendChild(role);
    toggleCell.appendChild(el("button", { type: "button", id: "member-toggle-" + index, text: m.isActive ? "Deactivate" : "Reactivate", onclick: function () {
      update({ isActive: !m.isActive }, toggleCell, m.email + (m.isActive ? " deactivated: punch-in and portal sign-in stop; orders and invoices stay." : " reactivated."));
    } }));
    return { role: roleCell, toggle: toggleCell };
  }

  function connection(org, c, notice) {
    var result = el("div", { id: "connection-result" }, notice ? [notice] : []);
    function rotate(kind) {
      result.textContent = "";
      var secret = randomSecret();
      var call = kind === "order token"
        ? gql("mutation($id: ID!) { ociConnectionOrderTokenCreate(id: $id) { errors { field message } token } }", { id: c.id })
          .then(function (d) { return { errors: d.ociConnectionOrderTokenCreate.errors, value: d.ociConnectionOrderTokenCreate.token }; })
        : gql("mutation($id: ID!, $input: OciConnectionInput!) { ociConnectionUpdate(id: $id, input: $input) { errors { field message } } }",
          { id: c.id, input: kind === "password" ? { password: secret } : { cxmlSharedSecret: secret } })
          .then(function (d) { return { errors: d.ociConnectionUpdate.errors, value: secret }; });
      return call.then(function (r) {
        if (r.errors.length) result.appendChild(el("div", { class: "banner error", text: r.errors.map(function (e) { return e.message; }).join(" ") }));
        else {
          if (kind === "cXML shared secret") c.hasCxmlSharedSecret = true;
          if (kind === "order token") c.hasOrderToken = true;
          summaryLine.textContent = summary();
          result.appendChild(secretShownOnce("New " + kind, r.value));
        }
      }).catch(failed);
    }
    function summary() {
      return "Login " + c.loginName + " · channel " + c.channel.slug + " · customer " + c.customer.email +
        " · cXML secret " + (c.hasCxmlSharedSecret ? "set" : "not set") + " · order token " + (c.hasOrderToken ? "set" : "not set");
    }
    var summaryLine = el("p", { class: "muted", id: "connection-summary", text: summary() });
    var mapping = typeof c.fieldMapping === "string" ? c.fieldMapping : JSON.stringify(c.fieldMapping || {});
    page(c.name, [
      el("div", { class: "actions" }, [el("button", { type: "button", text: "← " + org.name, onclick: function () { reloadOrganisation(org.id); } })]),
      summaryLine,
      el("div", { class: "actions" }, [
        el("button", { type: "button", id: "rotate-password", text: "Rotate password", onclick: function () { rotate("password"); } }),
        el("button", { type: "button", id: "rotate-cxml", text: "New cXML shared secret", onclick: function () { rotate("cXML shared secret"); } }),
        el("button", { type: "button", id: "rotate-order-token", text: "New order token", onclick: function () { rotate("order token"); } }),
        el("button", { type: "button", id: "test-punch-in", text: "Test punch-in", onclick: function () {
          result.textContent = "";
          gql("mutation($id: ID!) { ociConnectionTestPunchIn(id: $id) { errors { field message } url } }", { id: c.id }).then(function (d) {
            var r = d.ociConnectionTestPunchIn;
            if (r.errors.length) result.appendChild(el("div", { class: "banner error", text: r.errors.map(function (e) { return e.message; }).join(" ") }));
            else result.appendChild(el("div", { class: "banner ok" }, ["One-time entry, valid a few minutes: ",
              el("a", { href: r.url, target: "_blank", rel: "noopener noreferrer", text: "open the storefront as " + c.loginName })]));
          }).catch(failed);
        } }),
      ]),
      result,
      el("h2", { text: "Settings" }),
      form("connection-update", [
        field("name", "Name", null, el("input", { value: c.name })),
        field("isActive", "Active", "An inactive connection refuses punch-in and purchase orders.",
          el("input", Object.assign({ type: "checkbox" }, c.isActive ? { checked: "checked" } : {}))),
        field("hookUrlAllowlist", "Allowed HOOK_URLs", "One scheme and host per line.", el("textarea", { text: c.hookUrlAllowlist.join("\n") })),
        field("fieldMapping", "Field mapping (JSON)", "OCI field per cart value, e.g. {\"MATGROUP\": \"nzi\"}.", el("textarea", { text: mapping })),
        field("nziField", "NZI field", "The OCI field the NZI code travels in (MATGROUP by default).", el("input", { value: c.nziField })),
        field("nziOverrides", "NZI overrides (JSON)", "{\"products\": [{\"key\": SKU, \"code\": NZI}], \"categories\": [...]}.",
          el("textarea", { text: JSON.stringify(c.nziOverrides || {}) })),
      ], "Save", function (values, node) {
        var input = { name: values.name, isActive: values.isActive, hookUrlAllowlist: lines(values.hookUrlAllowlist),
          fieldMapping: values.fieldMapping || "{}", nziField: values.nziField };
        try { input.nziOverrides = JSON.parse(values.nziOverrides || "{}"); } catch (e) {
          return Promise.resolve(showErrors(node, [{ field: "nziOverrides", message: "This is not valid JSON." }]));
        }
        return gql("mutation($id: ID!, $input: OciConnectionInput!) { ociConnectionUpdate(id: $id, input: $input) { errors { field code message } connection { " + CONNECTION + " } } }",
          { id: c.id, input: input }).then(function (d) {
          var r = d.ociConnectionUpdate;
          if (showErrors(node, r.errors)) connection(org, r.connection, el("div", { class: "banner ok", text: "Saved." }));
        });
      }),
    ]);
  }

  // --- purchase orders, inbound messages --------------------------------------------------
  var PO = "id createdAt orderNumber source status orderId errors data";

  function purchaseOrders() {
    return Promise.all([
      gql("{ ociPurchaseOrdersPaged(status: \"refused\", first: 100) { edges { node { " + PO + " } } } }"),
      gql("{ ociPurchaseOrdersPaged(first: 100) { edges { node { " + PO + " } } } }"),
    ]).then(function (results) {
      var refused = nodes(results[0].ociPurchaseOrdersPaged);
      var others = nodes(results[1].ociPurchaseOrdersPaged).filter(function (p) { return p.status !== "refused"; });
      function rows(items) {
        return items.map(function (p) {
          return { item: p, cells: [p.orderNumber, el("span", { class: "badge " + p.status, text: p.status }), p.source, p.createdAt.slice(0, 16).replace("T", " ")] };
        });
      }
      page("Purchase orders", [
        el("p", { class: "muted", text: "Approved orders from the buyers' systems. Refused ones first: choose one to see why." }),
        el("h2", { text: "Refused" }),
        refused.length ? table(["PO number", "Status", "Via", "Received"], rows(refused), purchaseOrder) : el("p", { class: "muted", text: "None." }),
        el("h2", { text: "Placed and others" }),
        others.length ? table(["PO number", "Status", "Via", "Received"], rows(others), purchaseOrder) : el("p", { class: "muted", text: "None." }),
      ]);
    });
  }

  function when(iso) { return String(iso || "").slice(0, 16).replace("T", " "); }

  function parsed(value) { try { return typeof value === "string" ? JSON.parse(value) : value; } catch (e) { return value; } }

  function purchaseOrder(p) {
    var errors = parsed(p.errors) || [];
    var data = parsed(p.data) || {};
    var problems = (Array.isArray(errors) ? errors : [errors]).map(function (e) {
      return { item: e, cells: [String(e.line || e.lineNumber || e.field || "–"), String(e.code || "–"), String(e.message || JSON.stringify(e))] };
    });
    page("Purchase order " + p.orderNumber, [
      el("div", { class: "actions" }, [el("button", { type: "button", text: "← All purchase orders", onclick: purchaseOrders })]),
      el("p", {}, [el("span", { class: "badge " + p.status, text: p.status }), " via " + p.source + ", received " + when(p.createdAt)]),
      el("h2", { text: "Problems per line" }),
      problems.length ? table(["Line", "Code", "Problem"], problems) : el("p", { class: "muted", text: "No problems recorded." }),
      el("h2", { text: "Transfer it was checked against" }),
      el("p", { id: "po-transfer", text: data.transfer || data.transferId || data.transfer_id || "No transfer named (a direct order)." }),
      el("details", {}, [el("summary", { text: "As received" }), el("pre", { text: JSON.stringify(data, null, 2) })]),
    ]);
  }

  function inboundMessages() {
    return gql("{ ociInboundMessagesPaged(first: 100) { edges { node { id createdAt method path httpStatus outcome detail connectionId } } } }").then(function (data) {
      var all = nodes(data.ociInboundMessagesPaged);
      var holder = el("div");
      function render(values) {
        holder.textContent = "";
        var shown = all.filter(function (m) {
          return (!values.outcome || m.outcome === values.outcome) &&
            (!values.path || m.path.indexOf(values.path) >= 0) &&
            (!values.status || String(m.httpStatus) === values.status);
        });
        holder.appendChild(shown.length ? table(["Received", "Method", "Path", "Status", "Outcome", "Detail"], shown.map(function (m) {
          return { item: m, cells: [m.createdAt.slice(0, 19).replace("T", " "), m.method, m.path, String(m.httpStatus), m.outcome, m.detail] };
        })) : el("p", { class: "muted", text: "No messages match." }));
      }
      var outcomes = ["", "accepted", "refused"];
      var filters = el("form", { class: "filters", id: "message-filters" }, [
        field("outcome", "Outcome", null, el("select", {}, outcomes.map(function (o) { return el("option", { value: o, text: o || "any" }); }))),
        field("status", "HTTP status", "e.g. 403"),
        field("path", "Path contains", "e.g. punchin"),
      ]);
      filters.addEventListener("input", function () {
        render({ outcome: filters.elements.outcome.value, status: filters.elements.status.value.trim(), path: filters.elements.path.value.trim() });
      });
      page("Inbound messages", [el("p", { class: "muted", text: "Every punch-in and purchase order that reached the shop, with what happened to it." }), filters, holder]);
      render({});
    });
  }

  // --- invoice runs -----------------------------------------------------------------------
  function invoiceRuns() {
    return gql("{ ociInvoiceRunsPaged(first: 50) { edges { node { id periodStart periodEnd status requestedBy createdAt invoices { number payableAmount currency } failures { group orders reason } } } } }").then(function (data) {
      var runs = nodes(data.ociInvoiceRunsPaged);
      page("Invoice runs", [
        el("p", { class: "muted", text: "A run issues the consolidated invoices of a period for every organisation that asked for them." }),
        form("invoice-run", [
          field("periodStart", "First day", "The period's first day.", el("input", { type: "date" })),
          field("periodEnd", "Last day", "The period's last day (included).", el("input", { type: "date" })),
        ], "Start run", function (values, node) {
          var missing = [];
          if (!values.periodStart) missing.push({ field: "periodStart", message: "Choose the period's first day." });
          if (!values.periodEnd) missing.push({ field: "periodEnd", message: "Choose the period's last day." });
          if (!showErrors(node, missing)) return Promise.resolve();
          return gql("mutation($s: Date!, $e: Date!) { ociInvoiceRun(periodStart: $s, periodEnd: $e) { errors { field code message } } }",
            { s: values.periodStart || null, e: values.periodEnd || null }).then(function (d) {
            if (showErrors(node, d.ociInvoiceRun.errors)) return invoiceRuns();
          });
        }),
        el("h2", { text: "Runs" }),
        runs.length ? table(["Period", "Status", "Issued", "Refused"], runs.map(function (r) {
          return { item: r, cells: [r.periodStart + " – " + r.periodEnd, r.status,
            r.invoices.map(function (i) { return i.number + " (" + i.currency + " " + i.payableAmount + ")"; }).join(", ") || "–",
            r.failures.map(function (f) { return f.group + ": " + f.reason; }).join("; ") || "–"] };
        })) : el("p", { class: "muted", text: "No runs yet." }),
      ]);
    });
  }

  // --- an order's purchase order and invoices (POPUP) ------------------------------------------
  function order() {
    // ?id= is the App's ID (app-sdk's AppIframeParams), never the order's.
    var id = params.get("orderId");
    if (!id) { page("Purchase order and invoice", [el("p", { class: "muted", text: "Open this from an order's More actions." })]); return Promise.resolve(); }
    return Promise.all([
      gql("query($id: ID!) { order(id: $id) { id number externalReference metadata { key value } } }", { id: id }),
      gql("query($id: ID!) { ociInvoicesPaged(orderId: $id, first: 50) { edges { node { id number kind issueDate currency payableAmount xml html sentAt sentTo deliveryError } } } }", { id: id }),
    ]).then(function (results) {
      var o = results[0].order;
      if (!o) { page("Purchase order and invoice", [el("div", { class: "banner error", text: "No such order." })]); return; }
      var meta = {};
      o.metadata.forEach(function (m) { meta[m.key] = m.value; });
      function metaRows() {
        return Object.keys(meta).filter(function (k) { return k.indexOf("oci") === 0; }).map(function (k) { return { item: k, cells: [k, meta[k]] }; });
      }
      var invoices = nodes(results[1].ociInvoicesPaged);
      var result = el("div");
      page("Order " + o.number, [
        el("table", {}, [el("tbody", {}, [el("tr", {}, [el("th", { text: "PO number" }), el("td", { id: "po-number", text: o.externalReference || "–" })])])]),
        table(["Recorded", "Value"], metaRows()),
        el("h2", { text: "Invoices and credit notes" }),
        invoices.length ? table(["Number", "Kind", "Date", "Amount", "Sent", ""], invoices.map(function (i) {
          return { item: i, cells: [i.number, i.kind, i.issueDate, i.currency + " " + i.payableAmount,
            i.deliveryError ? "failed: " + i.deliveryError : (i.sentAt ? i.sentTo : "not sent"),
            el("span", { class: "row-actions" }, [
              el("button", { type: "button", text: "UBL", onclick: function () { download(i.number + ".xml", "application/xml", i.xml); } }),
              el("button", { type: "button", text: "HTML", onclick: function () { download(i.number + ".html", "text/html", i.html); } }),
              embeddedPdf(i.xml) ? el("button", { type: "button", text: "PDF", onclick: function () { download(i.number + ".pdf", "application/pdf", embeddedPdf(i.xml)); } }) : null,
              el("button", { type: "button", text: "Send again", onclick: function () {
                gql("mutation($id: ID!) { ociInvoiceSend(id: $id) { errors { message } } }", { id: i.id }).then(function (d) {
                  result.textContent = "";
                  var errs = d.ociInvoiceSend.errors;
                  result.appendChild(el("div", { class: errs.length ? "banner error" : "banner ok", text: errs.length ? errs[0].message : "Sent again." }));
                }).catch(failed);
              } }),
            ])] };
        })) : el("p", { class: "muted", id: "no-invoices", text: "No invoices yet." }),
        result,
        el("h2", { text: "Credit note" }),
        form("credit-note", [field("note", "Reason", "Printed on the credit note; the whole order is credited.")], "Create credit note", function (values, node) {
          return gql("mutation($id: ID!, $note: String) { ociCreditNoteCreate(orderId: $id, note: $note) { errors { field code message } } }", { id: id, note: values.note || null })
            .then(function (d) { if (showErrors(node, d.ociCreditNoteCreate.errors)) return order(); });
        }),
      ]);
    });
  }

  function home() {
    page("OCI punch-out console", [el("p", { class: "muted", text: "Find the console's pages under Customers (Punch-out organisations) and Orders (Purchase orders, Inbound messages, Invoice runs), and on an order under More actions." })]);
    return Promise.resolve();
  }

  var VIEWS = { home: home, organisations: organisations, "purchase-orders": purchaseOrders,
    "inbound-messages": inboundMessages, "invoice-runs": invoiceRuns, order: order };

  function route() {
    var view = VIEWS[settings.view] || home;
    Promise.resolve().then(view).catch(failed);
  }

  if (!settings.dashboardOrigin || !settings.graphqlUrl) {
    page("Console not set up", [el("div", { class: "banner error", text: "Set the plugin's 'Console: public URL of this Saleor' and 'Console: Saleor Dashboard origin' in its configuration." })]);
    return;
  }
  if (window.parent === window) {
    page("Open this in the Dashboard", [el("p", { class: "muted", text: "This page works inside Saleor's Dashboard, which signs it in." })]);
    return;
  }
  dispatch("notifyReady");
  // A staff member without the needed permission gets no token: the Dashboard may
  // then not hand one over at all.
  setTimeout(function () { if (!started && !token) notAllowed("The Dashboard did not sign this page in."); }, 10000);
})();
