package io.assay.server.dashboard;

import java.util.Map;

/** The dashboard's words in English and Chinese; a missing key shows the key, so a gap is visible, not blank. */
final class Messages {
    private static final Map<String, String[]> TEXT = Map.ofEntries(
            Map.entry("title", new String[] {"Assay fleet", "Assay 机群"}),
            Map.entry("login", new String[] {"Log in", "登录"}),
            Map.entry("token", new String[] {"Access token", "访问令牌"}),
            Map.entry("login.bad", new String[] {"This token is not known or may not read the fleet.", "令牌无效或无权查看机群。"}),
            Map.entry("logout", new String[] {"Log out", "退出"}),
            Map.entry("fleet", new String[] {"Fleet", "机群"}),
            Map.entry("findings", new String[] {"Alerts and findings", "告警与发现"}),
            Map.entry("pledges", new String[] {"Pledges", "承诺"}),
            Map.entry("ipcheck", new String[] {"IP check", "IP 核查"}),
            Map.entry("host", new String[] {"Host", "主机"}),
            Map.entry("hostname", new String[] {"Hostname", "主机名"}),
            Map.entry("operator", new String[] {"Operator", "运营方"}),
            Map.entry("groups", new String[] {"Groups", "分组"}),
            Map.entry("verdict", new String[] {"Verdict", "判定"}),
            Map.entry("lastSeen", new String[] {"Last seen", "最后上报"}),
            Map.entry("seq", new String[] {"Seq", "序号"}),
            Map.entry("never", new String[] {"never", "从未"}),
            Map.entry("filter", new String[] {"Filter", "筛选"}),
            Map.entry("allGroups", new String[] {"all groups", "全部分组"}),
            Map.entry("coverageSpan", new String[] {"Newest reports' span: covered / unattested seconds", "最新报告时段：已证明 / 未证明秒数"}),
            Map.entry("timeline", new String[] {"Verdict timeline (newest reports)", "判定时间线（最新报告）"}),
            Map.entry("window", new String[] {"Window", "时间窗口"}),
            Map.entry("evidence", new String[] {"Findings and evidence (newest reports)", "发现与证据（最新报告）"}),
            Map.entry("rule", new String[] {"Rule", "规则"}),
            Map.entry("kind", new String[] {"Kind", "类别"}),
            Map.entry("summary", new String[] {"What was seen", "所见"}),
            Map.entry("process", new String[] {"Process", "进程"}),
            Map.entry("chain", new String[] {"Chain and log", "链与日志"}),
            Map.entry("events", new String[] {"Events (forks, clones)", "事件（分叉、克隆）"}),
            Map.entry("none", new String[] {"none", "无"}),
            Map.entry("raised", new String[] {"Raised", "时间"}),
            Map.entry("detail", new String[] {"Detail", "详情"}),
            Map.entry("state", new String[] {"State", "状态"}),
            Map.entry("open", new String[] {"open", "未处理"}),
            Map.entry("acked", new String[] {"acknowledged", "已确认"}),
            Map.entry("name", new String[] {"Name", "名称"}),
            Map.entry("period", new String[] {"Period", "期间"}),
            Map.entry("status", new String[] {"Status", "状态"}),
            Map.entry("running", new String[] {"running", "进行中"}),
            Map.entry("ended", new String[] {"ended", "已结束"}),
            Map.entry("report", new String[] {"Report", "报告"}),
            Map.entry("ipcheck.help", new String[] {"One address or CIDR per line, optionally ,FROM,TO", "每行一个地址或网段，可加 ,起,止"}),
            Map.entry("check", new String[] {"Check", "核查"}),
            Map.entry("input", new String[] {"Input", "输入"}),
            Map.entry("hosts", new String[] {"Hosts", "主机"}),
            Map.entry("notfound", new String[] {"Not found", "未找到"}));

    private Messages() {}

    static String get(String key, boolean zh) {
        String[] t = TEXT.get(key);
        return t == null ? key : t[zh ? 1 : 0];
    }
}
