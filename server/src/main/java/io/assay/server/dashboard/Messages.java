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
            Map.entry("nextPage", new String[] {"Next page", "下一页"}),
            Map.entry("coverageSpan", new String[] {"Newest reports' span: covered / unattested seconds", "最新报告时段：已证明 / 未证明秒数"}),
            Map.entry("timeline", new String[] {"Verdict timeline (newest reports)", "判定时间线（最新报告）"}),
            Map.entry("window", new String[] {"Window", "时间窗口"}),
            Map.entry("evidence", new String[] {"Findings and evidence (newest reports)", "发现与证据（最新报告）"}),
            Map.entry("rule", new String[] {"Rule", "规则"}),
            Map.entry("kind", new String[] {"Kind", "类别"}),
            Map.entry("summary", new String[] {"What was seen", "所见"}),
            Map.entry("process", new String[] {"Process", "进程"}),
            Map.entry("chain", new String[] {"Chain and log", "链与日志"}),
            Map.entry("events", new String[] {"Events (forks, clones, clock skew)", "事件（分叉、克隆、时钟偏差）"}),
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
            Map.entry("notfound", new String[] {"Not found", "未找到"}),
            Map.entry("ack", new String[] {"Acknowledge", "确认"}),
            Map.entry("charts", new String[] {"Load, GPU and energy (newest reports)", "负载、GPU 与能耗（最新报告）"}),
            Map.entry("chart.cpu", new String[] {"CPU load, average of all cores (%)", "CPU 负载，全部核心平均（%）"}),
            Map.entry("chart.gpu", new String[] {"GPU utilisation, busiest GPU (%)", "GPU 利用率，最忙的 GPU（%）"}),
            Map.entry("chart.energy", new String[] {"Power drawn, all measured sources (W)", "功率，全部已测来源（瓦）"}),
            Map.entry("notReported", new String[] {"not reported", "未上报"}),
            Map.entry("log.status", new String[] {"Shown reports in the newest signed log checkpoint", "最新签名日志检查点包含的所示报告"}),
            Map.entry("log.size", new String[] {"checkpoint size", "检查点大小"}),
            Map.entry("log.checkpointed", new String[] {"in the signed log", "已入签名日志"}),
            Map.entry("log.sequenced", new String[] {"in the log, not yet in a signed checkpoint", "已入日志，尚未签名"}),
            Map.entry("log.queued", new String[] {"waiting for the log", "等待入日志"}),
            Map.entry("chain.intact", new String[] {"No refused upload has broken this chain.", "没有被拒上传破坏此链。"}),
            Map.entry("chain.healed", new String[] {"The chain continued after the refused uploads below.", "以下被拒上传之后，链已继续。"}),
            Map.entry("chain.broken", new String[] {"Chain broken: uploads after the chain end are refused (reports missing or out of order).",
                    "链已断：链尾之后的上传被拒绝（报告缺失或顺序错误）。"}),
            Map.entry("chain.end", new String[] {"After seq", "链尾序号"}),
            Map.entry("chain.refusedSeq", new String[] {"Refused seq", "被拒序号"}),
            Map.entry("chain.refusals", new String[] {"Refusals", "拒绝次数"}),
            Map.entry("chain.first", new String[] {"First", "首次"}),
            Map.entry("chain.last", new String[] {"Last", "最近"}));

    private Messages() {}

    static String get(String key, boolean zh) {
        String[] t = TEXT.get(key);
        return t == null ? key : t[zh ? 1 : 0];
    }
}
