//! Import of Feishu doc pages into spec drafts (`helpdesk-spec import`).
//!
//! Two page forms are read:
//!
//! * the crawled **text** form, where table cells are glued together
//!   (`create_usernotification_user非必填，创建人`). Name / type / description
//!   are split by scoring the possible splits: a name that is a key of the
//!   doc's JSON example at that place, a known scalar type, a type that the
//!   page spells elsewhere (`notification_user\[\]`), a type equal to the
//!   name, a description that starts with a non-ASCII character;
//! * the **markdown** form, whose tables have real cells.
//!
//! Both are read into one page model, then turned into an endpoint file and
//! a types file. Guesses are reported as notes; the draft is checked with
//! the real validator before it is returned. The general pages beside a
//! page ([`RefPages`]) give the values of fields whose descriptions only
//! link to a value table.

mod draft;
mod fields;
mod markdown;
mod page;
mod refs;
mod text;

pub use page::{Draft, DraftKind, ErrorRow, Page, Row};
pub use refs::RefPages;

/// Parses a doc page (crawled text or markdown) into a draft. `id` forces
/// the endpoint id; `hint` (e.g. the file stem) is used when it looks like
/// `resource.operation` and the page does not name itself.
pub fn import_page(text: &str, id: Option<&str>, hint: Option<&str>) -> Result<Draft, String> {
    import_page_with(text, id, hint, &RefPages::default())
}

/// [`import_page`] with the reference pages that the page's descriptions
/// may link to for their values (the general pages beside it).
pub fn import_page_with(
    text: &str,
    id: Option<&str>,
    hint: Option<&str>,
    refs: &RefPages,
) -> Result<Draft, String> {
    let page = if is_markdown(text) {
        markdown::parse_markdown(text)?
    } else {
        text::parse_text(text)?
    };
    draft::build(&page, id, hint, refs)
}

/// Whether a page is in the markdown form (it has a table separator or a `## 请求` heading).
fn is_markdown(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("| --- |") || l.starts_with("|---"))
        || text.contains("\n## 请求")
}

// ------------------------------------------------------------------ shared

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_panics_on_odd_input() {
        for t in [
            "",
            "HTTP URL\nHTTP Method",
            "项目\nHTTP URLx\nHTTP MethodGET\n",
            "| a |\n| --- |\n## 请求",
            "└└└",
            "错误码\n999",
        ] {
            let _ = import_page(t, None, None);
        }
    }

    /// A minimal markdown endpoint page: the 请求 table (with `scope_cell`
    /// as the 权限要求 value), then `rest` (sections after 请求).
    fn md_page(method: &str, scope_cell: &str, rest: &str) -> String {
        format!(
            "# 标题\n\n说明。\n\n## 请求\n\n| 项目 | 值 |\n| --- | --- |\n\
             | HTTP URL | https://open.feishu.cn/open-apis/helpdesk/v1/things |\n\
             | HTTP Method | {method} |\n\
             | 权限要求  调用该 API 所需的权限。开启其中任意一项权限即可调用 | {scope_cell} |\n\n\
             ### 请求头\n\n| 名称 | 类型 | 必填 | 描述 |\n| --- | --- | --- | --- |\n\
             | Authorization | string | 是 | `tenant_access_token` |\n\n{rest}"
        )
    }

    /// The draft type of a field path like `items.score` (objects are followed by type name).
    fn field<'a>(d: &'a Draft, fields: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
        let mut here = fields;
        let mut found = &serde_json::Value::Null;
        for (k, part) in path.split('.').enumerate() {
            found = here
                .as_array()
                .and_then(|a| a.iter().find(|f| f["name"] == part))
                .unwrap_or_else(|| panic!("no `{part}` of `{path}` in {here}"));
            if k + 1 < path.split('.').count() {
                let ty = found["type"].as_str().unwrap().trim_end_matches("[]");
                here = d.types["types"]
                    .as_array()
                    .and_then(|a| a.iter().find(|t| t["name"] == ty))
                    .map(|t| &t["fields"])
                    .unwrap_or_else(|| panic!("no type {ty}"));
            }
        }
        found
    }

    #[test]
    fn reads_number_float_and_a_body_string_whose_own_example_is_a_string() {
        let page = md_page(
            "POST",
            "`helpdesk:all` 更新服务台资源详情",
            "### 请求体\n\n| 名称 | 类型 | 必填 | 描述 |\n| --- | --- | --- | --- |\n\
             | `score` | `number(float)` | 否 | 得分<br>**示例值**：0.9 |\n\
             | `content` | `string` | 是 | 内容<br>**示例值**：\"{ \"a\": 1 }\" |\n\n\
             ### 请求体示例\n\n```json\n{\"score\": 0.9, \"content\": {\"a\": 1}}\n```\n\n\
             ## 响应\n\n### 响应体\n\n| 名称 | 类型 | 描述 |\n| --- | --- | --- |\n\
             | `code` | `int` | 错误码 |\n| `data` | `\\-` | \\- |\n\
             | &nbsp;&nbsp;└ `agents` | `string` | 客服 |\n\n\
             ### 响应体示例\n\n```json\n{\"code\": 0, \"data\": {\"agents\": [1]}}\n```\n",
        );
        let d = import_page(&page, Some("thing.create"), None).unwrap();
        let body = &d.endpoint["request_body"]["fields"];
        assert_eq!(field(&d, body, "score")["type"], "float");
        assert_eq!(field(&d, body, "content")["type"], "json_string");
        assert!(
            d.notes
                .iter()
                .any(|n| n.contains("`content`") && n.contains("json_string"))
        );
        // the request example's object is serialized, as the type says
        assert_eq!(d.endpoint["example_request"]["content"], "{\"a\":1}");
        // in a reply the example wins over the type column
        let reply = &d.endpoint["response"]["fields"];
        assert_eq!(field(&d, reply, "agents")["type"], "json");
    }

    /// A GET whose reply is a file's bytes, whose 权限要求 cell gives only a
    /// scope's display name, and whose error advice carries markdown.
    fn file_reply_page() -> String {
        md_page(
            "GET",
            "获取服务台资源详情",
            "## 响应\n\n\nHTTP状态码为 200 时，表示成功\n\n返回文件二进制流\n\n\n### 错误码\n\n\
             | HTTP状态码 | 错误码 | 描述 | 排查建议 |\n| --- | --- | --- | --- |\n\
             | 404 | 154004 | Resource not found | 可能是 `ticket_id` 不对 |\n\
             | 500 | 155000 | Internal error | 请联系[技术支持](https://applink.feishu.cn/x) |\n",
        )
    }

    #[test]
    fn a_file_reply_is_binary_and_error_cells_keep_their_markdown() {
        let d = import_page(&file_reply_page(), Some("thing.image"), None).unwrap();
        let binary = &d.endpoint["response"]["binary"];
        assert!(
            binary["description"].as_str().unwrap().contains("二进制"),
            "{d:?}"
        );
        assert!(d.endpoint["response"].get("fields").is_none());
        assert_eq!(d.endpoint["errors"][0]["advice"], "可能是 `ticket_id` 不对");
        assert_eq!(
            d.endpoint["errors"][1]["advice"],
            "请联系[技术支持](https://applink.feishu.cn/x)"
        );
        // the 权限要求 cell gives the scope's display name only
        assert_eq!(
            d.endpoint["scopes"]["any_of"][0]["name"],
            "helpdesk:all:readonly"
        );
        assert!(d.notes.iter().any(|n| n.contains("without its key")));
        assert!(
            !d.notes
                .iter()
                .any(|n| n.contains("draft check") && n.contains("error")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn the_crawled_form_of_a_file_reply_is_binary_and_a_glued_scope_name_is_read() {
        let text = crate::crawl::to_crawled_text(&file_reply_page());
        assert!(!is_markdown(&text));
        // the crawl glues the 权限要求 cells: `…即可调用获取服务台资源详情`
        assert!(text.contains("即可调用获取服务台资源详情"), "{text}");
        let d = import_page(&text, Some("thing.image"), None).unwrap();
        let binary = &d.endpoint["response"]["binary"];
        assert!(
            binary["description"].as_str().unwrap().contains("二进制"),
            "{d:?}"
        );
        assert!(d.endpoint["response"].get("fields").is_none());
        assert_eq!(
            d.endpoint["scopes"]["any_of"],
            serde_json::json!([{"name": "helpdesk:all:readonly", "description": "获取服务台资源详情"}])
        );
    }

    #[test]
    fn old_template_rows_of_a_recursive_type_stay_its_fields() {
        // the older template: `∟` rows without depth; `children` has the type
        // of the object it is in, and the page lists it a second time
        let page = md_page(
            "POST",
            "`helpdesk:all` 更新服务台资源详情",
            "### 请求体\n\n| 名称 | 类型 | 必填 | 描述 |\n| --- | --- | --- | --- |\n\
             | `display_name` | `string` | 是 | 名称 |\n\
             | `dropdown_options` | `dropdown_option` | 否 | 下拉列表选项 |\n\
             | ∟ `children` | `dropdown_option[]` | 否 | 选项列表 |\n\
             | ∟ `tag` | `string` | 是 | 选项ID |\n\
             | ∟ `display_name` | `string` | 是 | 展示名称 |\n\
             | ∟ `children` | `dropdown_option[]` | 否 | 同上 |\n\
             | `multiple` | `boolean` | 否 | 多选 |\n\n\
             ### 请求体示例\n\n```json\n{\"display_name\": \"x\", \"dropdown_options\": {\"children\": \
             [{\"tag\": \"a\", \"display_name\": \"a\"}]}, \"multiple\": true}\n```\n\n\
             ## 响应\n\n### 响应体\n\n| 名称 | 类型 | 描述 |\n| --- | --- | --- |\n\
             | `code` | `int` | 错误码 |\n| `data` | `\\-` | \\- |\n\n\
             ### 响应体示例\n\n```json\n{\"code\": 0, \"data\": {\"page_size\": 10, \"total\": 3}}\n```\n",
        );
        let d = import_page(&page, Some("thing.create"), None).unwrap();
        let body = &d.endpoint["request_body"]["fields"];
        let names = |v: &serde_json::Value| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(body),
            ["display_name", "dropdown_options", "multiple"]
        );
        let option = &d.types["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "DropdownOption")
            .unwrap()["fields"];
        assert_eq!(names(option), ["children", "tag", "display_name"]);
        assert_eq!(option[0]["type"], "DropdownOption[]");
        // the repeat is left out, naming its line
        assert!(
            d.notes
                .iter()
                .any(|n| n.starts_with("line 28: `children` repeats")),
            "{:?}",
            d.notes
        );
        // `tag` is required on the page, but the example's top option has none
        assert!(option[1].get("required").is_none());
        assert!(
            d.notes
                .iter()
                .any(|n| n.contains("`tag` is marked required"))
        );
        // reply fields shown only by the example are drafted from it
        let reply = &d.endpoint["response"]["fields"];
        assert_eq!(names(reply), ["page_size", "total"]);
        assert_eq!(reply[0]["type"], "int");
        assert!(
            d.notes
                .iter()
                .any(|n| n.contains("`total` is in the example"))
        );
        assert!(
            !d.notes.iter().any(|n| n.contains(": error:")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn an_event_page_with_placeholders_in_its_example_and_a_code_sample() {
        let page = "# 工单消息事件\n\n说明。\n\n## 事件\n\n| 项目 | 值 |\n| --- | --- |\n\
             | 事件类型 | helpdesk.thing.created_v1 |\n| 支持的应用类型 | custom |\n\
             | 权限要求 | `helpdesk:all:readonly` 获取服务台资源详情 |\n\n\
             ### 事件体\n\n| 名称 | 类型 | 描述 |\n| --- | --- | --- |\n\
             | `schema` | `string` | 事件模式 |\n\
             | `event` | `thing_event` | \\- |\n\
             | &nbsp;&nbsp;└ `created_at` | `int` | 备注时间，单位毫秒 |\n\
             | &nbsp;&nbsp;└ `entry_time` | `int` | 客服进入时间 |\n\
             | &nbsp;&nbsp;└ `create_time` | `int` | 创建时间 |\n\
             | &nbsp;&nbsp;└ `sent_at` | `string` | 发送时间 |\n\
             | &nbsp;&nbsp;└ `wait` | `int` | 机器人服务时间：客服进入时间距离工单创建时间的间隔，单位秒 |\n\
             | &nbsp;&nbsp;└ `handled` | `int` | 工单实际处理时间：从客服进入到关单，单位秒 |\n\
             | &nbsp;&nbsp;└ `id` | `int` | 备注ID |\n\
             | &nbsp;&nbsp;└ `approve_status` | `string` | REJECTED(审核不通过) APPROVED(审核通过) |\n\n\
             ### 事件体示例\n\n```json\n{\n  \"schema\": \"2.0\",\n\
             \"header\": {\"event_type\": \"helpdesk.thing.created_v1\"},\n  \"event\": {\n\
             \"approve_status\": \"审核状态\",\n\
             \"created_at\": 备注时间,\n    \"entry_time\": 1636444596000,\n\
             \"create_time\": 1596379008,\n    \"sent_at\": \"1591239289000\",\n\
             \"wait\": 1,\n    \"handled\": 68,\n    \"id\": 备注id\n  }\n}\n```\n\n\
             ### 事件订阅示例代码\n\n```python\n# 创建路由处理器\n| not | a row |\n```\n";
        let d = import_page(page, None, None).unwrap();
        // the `#` comment of the code sample is no title
        assert_eq!(d.endpoint["summary"], "工单消息事件");
        // the bare placeholders are left out of the example, with a note naming their lines
        let ex = &d.endpoint["example"]["event"];
        assert!(
            ex.get("created_at").is_none() && ex.get("id").is_none(),
            "{ex}"
        );
        assert_eq!(ex["handled"], 68);
        // a placeholder outside the listed values is left out too
        assert!(ex.get("approve_status").is_none(), "{ex}");
        assert!(d.notes.iter().any(|n| n.starts_with(
            "`approve_status`: the example's value \"审核状态\" is none of the listed values"
        )));
        assert_eq!(
            field(&d, &d.endpoint["fields"], "approve_status")["type"],
            "ApproveStatus"
        );
        assert!(
            d.notes
                .iter()
                .any(|n| n.contains("`备注时间` (line 36)") && n.contains("`备注id` (line 42)")),
            "{:?}",
            d.notes
        );
        let fields = &d.endpoint["fields"];
        let ty = |name: &str| field(&d, fields, name)["type"].clone();
        // 毫秒 in the description; 13 and 10 digits in the example
        assert_eq!(ty("created_at"), "timestamp_ms_number");
        assert_eq!(ty("entry_time"), "timestamp_ms_number");
        assert_eq!(ty("create_time"), "timestamp_s");
        assert_eq!(ty("sent_at"), "timestamp_ms");
        // a span (间隔) and a 单位秒 whose example is no Unix time stay integers
        assert_eq!(ty("wait"), "int");
        assert_eq!(ty("handled"), "int");
        assert_eq!(ty("id"), "int");
        assert!(
            d.notes
                .iter()
                .any(|n| n.contains("`create_time`: a point in time, unit from the example's digits: typed `timestamp_s`")),
            "{:?}",
            d.notes
        );
        assert!(
            !d.notes.iter().any(|n| n.contains(": error:")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn a_row_linking_a_reference_page_takes_the_values_of_the_table_its_example_fits() {
        let refs = RefPages::from_texts([
            "---\nfullPath: \"/a/b/operator-options\"\n---\n# 客服技能及运算符\n\
             **技能列表**\n|value|名称|\n|--|--|\n|3|城市|\n|9|来源|\n\n\
             **运算符列表**\n|value|名称|说明|\n|--|--|--|\n|2|大于等于|>=\n|3|小于等于|<=\n|8|是右侧任一|x\n",
        ]);
        let link = "(https://open.larkoffice.com/document/a/b/operator-options)";
        let page = md_page(
            "POST",
            "`helpdesk:all` 更新服务台资源详情",
            &format!(
                "### 请求体\n\n| 名称 | 类型 | 必填 | 描述 |\n| --- | --- | --- | --- |\n\
                 | `selected_operator` | `int` | 否 | 运算符比较, 参考[客服技能运算符选项]{link}<br>**示例值**：8 |\n\
                 | `operator_options` | `int\\[\\]` | 否 | rule操作数value，[客服技能及运算符]{link} |\n\
                 | `either` | `int` | 否 | 参考[客服技能及运算符]{link} |\n\n\
                 ### 请求体示例\n\n```json\n{{\"selected_operator\": 8, \"operator_options\": [2, 3], \"either\": 3}}\n```\n"
            ),
        );
        let d = import_page_with(&page, Some("thing.create"), None, &refs).unwrap();
        let body = &d.endpoint["request_body"]["fields"];
        let values = |ty: &str| {
            let t = d.types["types"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["name"] == ty)
                .unwrap_or_else(|| panic!("no {ty}: {}", d.types));
            t["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["value"].as_i64().unwrap())
                .collect::<Vec<_>>()
        };
        // 8 is only an operator; every item of [2, 3] is one
        assert_eq!(
            field(&d, body, "selected_operator")["type"],
            "SelectedOperator"
        );
        assert_eq!(values("SelectedOperator"), [2, 3, 8]);
        assert_eq!(
            field(&d, body, "operator_options")["type"],
            "OperatorOptions[]"
        );
        assert_eq!(values("OperatorOptions"), [2, 3, 8]);
        // 3 is in both tables: no enum, and a note says why
        assert_eq!(field(&d, body, "either")["type"], "int");
        assert!(
            d.notes
                .iter()
                .any(|n| n.contains("`either` links to `客服技能及运算符`")
                    && n.contains("(技能列表, 运算符列表)")),
            "{:?}",
            d.notes
        );
        // without the reference pages, no enum
        let d = import_page(&page, Some("thing.create"), None).unwrap();
        let body = &d.endpoint["request_body"]["fields"];
        assert_eq!(field(&d, body, "selected_operator")["type"], "int");
    }

    #[test]
    fn strings_that_carry_json_are_json_strings() {
        let page = md_page(
            "POST",
            "`helpdesk:all` 更新服务台资源详情",
            "### 请求体\n\n| 名称 | 类型 | 必填 | 描述 |\n| --- | --- | --- | --- |\n\
             | `content` | `string` | 是 | 消息内容，json格式结构序列化成string。<br>**示例值**：\"x\" |\n\
             | `ext` | `string` | 否 | 预留扩展字段<br>**示例值**：\"{}\" |\n\
             | `card` | `string` | 否 | 卡片<br>**示例值**：\"{ \\\"config\\\": {\\\"wide\\\": true} }\" |\n\
             | `name` | `string` | 否 | 名称<br>**示例值**：\"{abc}\" |\n\
             | `tags` | `string` | 否 | 标签<br>**示例值**：\"a,b\" |\n\n",
        );
        let d = import_page(&page, Some("thing.create"), None).unwrap();
        let body = &d.endpoint["request_body"]["fields"];
        let ty = |n: &str| field(&d, body, n)["type"].clone();
        assert_eq!(ty("content"), "json_string");
        assert_eq!(ty("ext"), "json_string");
        assert_eq!(ty("card"), "json_string");
        assert_eq!(field(&d, body, "ext")["example"], "{}");
        // an example that holds no JSON is left out
        assert!(field(&d, body, "content").get("example").is_none());
        // braces that are no JSON, and plain text, stay strings
        assert_eq!(ty("name"), "string");
        assert_eq!(ty("tags"), "string");
        assert!(
            d.notes.iter().any(|n| n
                .starts_with("`content`: a string that carries JSON (the description says so)")),
            "{:?}",
            d.notes
        );
        assert!(
            !d.notes.iter().any(|n| n.contains(": error:")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn a_patch_body_reads_the_required_column_over_a_copied_description() {
        let body = "### 请求体\n\n| 名称 | 类型 | 必填 | 描述 |\n| --- | --- | --- | --- |\n\
             | `job_name` | `string` | 否 | 必填，任务名称 |\n\
             | `id` | `string` | 是 | 任务ID |\n\n";
        // (job_name required, id required, the note) for a method, read in
        // the markdown form or in the crawled text form
        let read = |method: &str, crawled: bool, note: &str| {
            let md = md_page(method, "`helpdesk:all` 更新服务台资源详情", body);
            let text = if crawled {
                crate::crawl::to_crawled_text(&md)
            } else {
                md
            };
            let d = import_page(&text, Some("thing.update"), None).unwrap();
            let fields = d.endpoint["request_body"]["fields"].clone();
            let of = |n: &str| field(&d, &fields, n).get("required").is_some();
            let noted = d.notes.iter().any(|n| {
                n.starts_with(&format!("`job_name`: the description says 必填 but {note}"))
            });
            (of("job_name"), of("id"), noted)
        };
        let column = "the 必填 column says 否";
        // a PATCH updates in part: the column's 否 wins, with a note
        assert_eq!(read("PATCH", false, column), (false, true, true));
        // elsewhere the description's 必填 still makes the field required
        assert_eq!(read("POST", false, column), (true, true, false));
        // the crawled text form has no 必填 column: only the description
        // tells, and a PATCH does not take its 必填 either
        let no_column = "no 必填 column says so";
        assert_eq!(read("PATCH", true, no_column), (false, false, true));
        assert_eq!(read("POST", true, no_column), (true, false, false));
    }
}
