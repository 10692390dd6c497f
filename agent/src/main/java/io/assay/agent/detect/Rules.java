package io.assay.agent.detect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The detection rules in force: data from {@code assay/rules.json} in the jar, plus the operator's
 * {@code local-rules.json} when present (lists are appended, thresholds override one by one).
 * Built only by {@link #parse}, which validates everything and reports file, line and reason.
 */
public record Rules(
        String version,
        List<String> minerNames,
        List<String> disguiseNames,
        Pattern kernelThreadNames,
        List<CommandLinePattern> commandLine,
        int commandLineThreshold,
        List<String> poolDomains,
        Set<Integer> poolPorts,
        Set<Integer> blendPorts,
        List<WalletFormat> wallets,
        List<BinaryString> binaryStrings,
        int binaryThreshold,
        List<String> packerMarkers,
        List<String> configFileNames,
        List<List<String>> configKeySets,
        List<HardwareId> hardware,
        MinerApis minerApis,
        Thresholds thresholds,
        Stratum stratum,
        Sources sources,
        GpuRules gpu,
        List<Pattern> usbStrings) {

    public Rules {
        minerNames = List.copyOf(minerNames);
        disguiseNames = List.copyOf(disguiseNames);
        commandLine = List.copyOf(commandLine);
        poolDomains = List.copyOf(poolDomains);
        poolPorts = Set.copyOf(poolPorts);
        blendPorts = Set.copyOf(blendPorts);
        wallets = List.copyOf(wallets);
        binaryStrings = List.copyOf(binaryStrings);
        packerMarkers = List.copyOf(packerMarkers);
        configFileNames = List.copyOf(configFileNames);
        configKeySets = configKeySets.stream().map(List::copyOf).toList();
        hardware = List.copyOf(hardware);
        usbStrings = List.copyOf(usbStrings);
    }

    /** A command-line fragment; weights of distinct matches add up against {@link #commandLineThreshold}. */
    public record CommandLinePattern(String id, Pattern regex, int weight) {}

    /** A wallet address format; {@code versions} are allowed Base58Check version prefixes (hex). */
    public record WalletFormat(String coin, Pattern regex, Wallets.Check check, List<String> versions) {}

    /**
     * How stratum is recognised, on the wire and in memory.
     *
     * @param methods JSON-RPC methods that alone are stratum ({@code mining.subscribe}, {@code mining.notify}…)
     * @param keyedMethods Monero-style methods, each with the keys its message must also carry
     *     ({@code job} with {@code blob}, {@code job_id}, {@code target}): "login" alone is any web app
     * @param memoryStrings strings a miner's decoded memory holds (request templates, keys); weights add up
     *     with {@link #binaryStrings}' against {@link #binaryThreshold}
     */
    public record Stratum(List<String> methods, Map<String, List<String>> keyedMethods, List<BinaryString> memoryStrings) {
        public static final Stratum NONE = new Stratum(List.of(), Map.of(), List.of());

        public Stratum {
            methods = List.copyOf(methods);
            Map<String, List<String>> km = new LinkedHashMap<>();
            keyedMethods.forEach((k, v) -> km.put(k, List.copyOf(v)));
            keyedMethods = java.util.Collections.unmodifiableMap(km);
            memoryStrings = List.copyOf(memoryStrings);
        }
    }

    /**
     * The sources that look closer at processes in question, each with a switch and a budget.
     *
     * @param captureEnabled read a bounded sample of the connections of processes in question (needs CAP_NET_RAW)
     * @param captureSeconds how long one connection is sampled at most
     * @param captureBytes payload bytes kept per connection and direction at most
     * @param captureFlows connections sampled at the same time at most
     * @param memoryEnabled scan anonymous and heap memory of processes in question through /proc/PID/mem
     * @param memoryBytesPerWindow bytes of process memory read per report window at most
     * @param memoryCpuMsPerWindow CPU time spent scanning memory per report window at most
     */
    public record Sources(boolean captureEnabled, int captureSeconds, int captureBytes, int captureFlows, boolean memoryEnabled,
            long memoryBytesPerWindow, int memoryCpuMsPerWindow) {
        public static final Sources DEFAULT = new Sources(true, 60, 16384, 4, true, 64L << 20, 250);
    }

    /** A string found in miner executables; weights of distinct strings add up against {@link #binaryThreshold}. */
    public record BinaryString(String text, int weight) {}

    /**
     * How the listening sockets of an already suspect process are asked whether they are a miner's API.
     *
     * @param timeoutMs connect and read time limit of one exchange
     * @param maxBytes bytes of one answer read at most
     * @param probesPerCycle connections opened per observe cycle at most (a started port finishes its requests)
     * @param requests what is sent, in order, one connection each ({@code GET …} requests are HTTP)
     * @param answers the shapes that mean a miner: every pattern of one entry must match the answer
     */
    public record MinerApis(int timeoutMs, int maxBytes, int probesPerCycle, List<ApiRequest> requests, List<ApiAnswer> answers) {
        /** No probing (rules without {@code minerApis}). */
        public static final MinerApis NONE = new MinerApis(300, 16384, 0, List.of(), List.of());

        public MinerApis {
            requests = List.copyOf(requests);
            answers = List.copyOf(answers);
        }

        public boolean enabled() {
            return probesPerCycle > 0 && !requests.isEmpty() && !answers.isEmpty();
        }
    }

    /** One request to a listening socket; {@code send} is sent as is (ISO-8859-1). */
    public record ApiRequest(String id, String send) {
        public boolean http() {
            return send.startsWith("GET ");
        }
    }

    /** A miner API's answer, recognised by several patterns together (never one word). */
    public record ApiAnswer(String kind, List<Pattern> allOf) {
        public ApiAnswer {
            allOf = List.copyOf(allOf);
        }
    }

    /**
     * How a process's GPU use is judged. A process is busy on a tick when the driver's sample gives
     * it {@code busyPercent} of the SMs (or, without per-process samples, when it is the only compute
     * context on a device that busy); busy on {@code busyFraction} of at least {@code minIntervals}
     * ticks is sustained. Sustained use is explained by a library class the process has loaded (ML,
     * rendering, video), by encoder/decoder use of {@code encoderBusyPercent} or more, or by the
     * allowlist; unexplained, it is the behaviour {@code beh.gpu.unexplained}.
     *
     * @param computeLibraries libraries that give GPU compute and explain nothing (CUDA, NVRTC, OpenCL):
     *     shown as evidence
     */
    public record GpuRules(int busyPercent, double busyFraction, int minIntervals, int encoderBusyPercent,
            List<LibraryClass> explainedBy, List<Pattern> computeLibraries) {
        /** No GPU judgement (rules without {@code gpu}). */
        public static final GpuRules NONE = new GpuRules(101, 1, 1000, 101, List.of(), List.of());

        public GpuRules {
            explainedBy = List.copyOf(explainedBy);
            computeLibraries = List.copyOf(computeLibraries);
        }
    }

    /** Libraries (patterns over the base names of mapped files and the executable) that explain GPU use. */
    public record LibraryClass(String id, String what, List<Pattern> libraries) {
        public LibraryClass {
            libraries = List.copyOf(libraries);
        }
    }

    /** Miner hardware by USB vendor:product; {@code strong} false for generic bridge chips. */
    public record HardwareId(String usbId, String name, boolean strong) {}

    /**
     * Behaviour thresholds.
     *
     * @param cpuSustainedPercent share of one core a process must hold in an interval to count as busy
     * @param cpuSustainedFraction fraction of the window's intervals that must be busy
     * @param minIntervals intervals needed before load is judged at all
     * @param hugetlbBytes per-process explicit huge-page memory that counts as a RandomX-size dataset
     * @param hostHugePages reserved huge pages (2 MiB) that count as a bulk reservation
     * @param hiddenCpuPercent CPU (share of one core, window average) charged to no visible process
     * @param suspiciousDirs exe locations where droppers put miners
     * @param exeScanMaxBytes bytes of one executable scanned at most
     * @param exeScanBudgetBytes bytes of executables read per observe cycle at most
     * @param configMaxBytes bytes of one candidate config file read at most
     */
    public record Thresholds(int cpuSustainedPercent, double cpuSustainedFraction, int minIntervals, long hugetlbBytes,
            long hostHugePages, int hiddenCpuPercent, List<String> suspiciousDirs, long exeScanMaxBytes,
            long exeScanBudgetBytes, int configMaxBytes) {
        public Thresholds {
            suspiciousDirs = List.copyOf(suspiciousDirs);
        }
    }

    private static final String[] TOP_KEYS = {"version", "minerNames", "disguiseNames", "kernelThreadNames", "commandLine",
        "commandLineThreshold", "poolDomains", "poolPorts", "blendPorts", "wallets", "binaryStrings", "binaryThreshold",
        "packerMarkers", "configFiles", "hardware", "minerApis", "thresholds", "description", "stratum", "sources",
        "gpu", "usbStrings"};
    private static final String[] THRESHOLD_KEYS = {"cpuSustainedPercent", "cpuSustainedFraction", "minIntervals",
        "hugetlbBytes", "hostHugePages", "hiddenCpuPercent", "suspiciousDirs", "exeScanMaxBytes", "exeScanBudgetBytes",
        "configMaxBytes"};

    /** Parses the built-in rules alone. */
    public static Rules parse(String file, String text) {
        return parse(file, text, "", "");
    }

    /**
     * Parses built-in rules plus an optional local file ({@code localText} "" for none).
     *
     * @throws RulesException naming the file and line of the first problem
     */
    public static Rules parse(String file, String text, String localFile, String localText) {
        Map<String, JsonTree> base = JsonTree.parse(file, text).object("the rules file");
        JsonTree.onlyKeys(base, "the rules file", TOP_KEYS);
        if (!base.containsKey("version")) throw new RulesException(file, 1, "\"version\" is missing; the built-in rules must name their version");
        Map<String, JsonTree> merged = new LinkedHashMap<>(base);
        if (!localText.isBlank()) {
            Map<String, JsonTree> local = JsonTree.parse(localFile, localText).object("the local rules file");
            JsonTree.onlyKeys(local, "the local rules file", TOP_KEYS);
            for (var e : local.entrySet()) merged.merge(e.getKey(), e.getValue(), Rules::mergeNode);
        }
        return build(merged, file);
    }

    private static JsonTree mergeNode(JsonTree a, JsonTree b) {
        if (a.value() instanceof List<?> && b.value() instanceof List<?>) {
            List<JsonTree> l = new ArrayList<>(a.array(""));
            l.addAll(b.array(""));
            return new JsonTree(l, b.file(), b.line());
        }
        if (a.value() instanceof Map<?, ?> && b.value() instanceof Map<?, ?>) {
            Map<String, JsonTree> m = new LinkedHashMap<>(a.object(""));
            m.putAll(b.object(""));
            return new JsonTree(m, b.file(), b.line());
        }
        return b;
    }

    private static Rules build(Map<String, JsonTree> m, String file) {
        String version = req(m, "version", file).string("version");
        List<String> minerNames = lower(strings(m, "minerNames"));
        List<String> disguise = lower(strings(m, "disguiseNames"));
        Pattern kthreads = regex(req(m, "kernelThreadNames", file), "kernelThreadNames");

        List<CommandLinePattern> cmd = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (JsonTree t : req(m, "commandLine", file).array("commandLine")) {
            Map<String, JsonTree> o = t.object("a commandLine entry");
            JsonTree.onlyKeys(o, "a commandLine entry", "id", "regex", "weight", "description");
            String id = req(o, "id", t).string("id");
            if (!ids.add(id)) throw o.get("id").error("commandLine id \"" + id + "\" is used twice");
            cmd.add(new CommandLinePattern(id, regex(req(o, "regex", t), "regex of " + id), req(o, "weight", t).integer("weight", 1, 10)));
        }
        List<WalletFormat> wallets = new ArrayList<>();
        for (JsonTree t : req(m, "wallets", file).array("wallets")) {
            Map<String, JsonTree> o = t.object("a wallets entry");
            JsonTree.onlyKeys(o, "a wallets entry", "coin", "regex", "check", "versions");
            String coin = req(o, "coin", t).string("coin");
            JsonTree chk = req(o, "check", t);
            Wallets.Check check;
            try {
                check = Wallets.Check.valueOf(chk.string("check").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw chk.error("check of " + coin + " is \"" + chk.value() + "\"; it must be one of base58check, monero, bech32, none");
            }
            List<String> versions = o.containsKey("versions") ? o.get("versions").strings("versions") : List.of();
            for (String v : versions) {
                if (!v.matches("([0-9a-fA-F]{2})+")) throw o.get("versions").error("version \"" + v + "\" of " + coin + " must be hex bytes, e.g. \"00\"");
            }
            wallets.add(new WalletFormat(coin, regex(req(o, "regex", t), "regex of " + coin), check, versions));
        }
        List<BinaryString> bins = new ArrayList<>();
        for (JsonTree t : req(m, "binaryStrings", file).array("binaryStrings")) {
            Map<String, JsonTree> o = t.object("a binaryStrings entry");
            JsonTree.onlyKeys(o, "a binaryStrings entry", "text", "weight");
            String text = req(o, "text", t).string("text");
            if (text.length() < 4) throw o.get("text").error("binary string \"" + text + "\" is shorter than 4 characters; it would match by chance");
            bins.add(new BinaryString(text, req(o, "weight", t).integer("weight", 1, 10)));
        }
        List<String> configNames = List.of();
        List<List<String>> keySets = List.of();
        if (m.containsKey("configFiles")) {
            JsonTree cf = m.get("configFiles");
            Map<String, JsonTree> o = cf.object("configFiles");
            JsonTree.onlyKeys(o, "configFiles", "names", "keySets");
            configNames = strings(o, "names");
            List<List<String>> ks = new ArrayList<>();
            if (o.containsKey("keySets")) for (JsonTree t : o.get("keySets").array("keySets")) ks.add(t.strings("a keySets entry"));
            keySets = ks;
        }
        List<HardwareId> hw = new ArrayList<>();
        if (m.containsKey("hardware")) {
            for (JsonTree t : m.get("hardware").array("hardware")) {
                Map<String, JsonTree> o = t.object("a hardware entry");
                JsonTree.onlyKeys(o, "a hardware entry", "usb", "name", "strong");
                String usb = req(o, "usb", t).string("usb");
                if (!usb.matches("[0-9a-f]{4}:[0-9a-f]{4}")) throw o.get("usb").error("usb id \"" + usb + "\" must be vendor:product in lowercase hex, e.g. 29f1:33f3");
                boolean strong = !o.containsKey("strong") || Boolean.TRUE.equals(o.get("strong").value());
                hw.add(new HardwareId(usb, req(o, "name", t).string("name"), strong));
            }
        }
        MinerApis apis = m.containsKey("minerApis") ? minerApis(m.get("minerApis")) : MinerApis.NONE;
        Map<String, JsonTree> th = req(m, "thresholds", file).object("thresholds");
        JsonTree.onlyKeys(th, "thresholds", THRESHOLD_KEYS);
        JsonTree thNode = m.get("thresholds");
        Thresholds thresholds = new Thresholds(
                req(th, "cpuSustainedPercent", thNode).integer("cpuSustainedPercent", 1, 10_000),
                fraction(req(th, "cpuSustainedFraction", thNode)),
                req(th, "minIntervals", thNode).integer("minIntervals", 1, 1000),
                longIn(req(th, "hugetlbBytes", thNode), "hugetlbBytes", 1),
                longIn(req(th, "hostHugePages", thNode), "hostHugePages", 1),
                req(th, "hiddenCpuPercent", thNode).integer("hiddenCpuPercent", 1, 10_000),
                req(th, "suspiciousDirs", thNode).strings("suspiciousDirs"),
                longIn(req(th, "exeScanMaxBytes", thNode), "exeScanMaxBytes", 4096),
                longIn(req(th, "exeScanBudgetBytes", thNode), "exeScanBudgetBytes", 65536),
                req(th, "configMaxBytes", thNode).integer("configMaxBytes", 256, 16 << 20));
        return new Rules(version, minerNames, disguise, kthreads, cmd,
                req(m, "commandLineThreshold", file).integer("commandLineThreshold", 1, 100),
                lower(strings(m, "poolDomains")), ports(m, "poolPorts", file), ports(m, "blendPorts", file), wallets, bins,
                req(m, "binaryThreshold", file).integer("binaryThreshold", 1, 100),
                strings(m, "packerMarkers"), configNames, keySets, hw, apis, thresholds,
                m.containsKey("stratum") ? stratum(m.get("stratum")) : Stratum.NONE,
                m.containsKey("sources") ? sources(m.get("sources")) : Sources.DEFAULT,
                m.containsKey("gpu") ? gpu(m.get("gpu")) : GpuRules.NONE, patterns(m, "usbStrings"));
    }

    private static GpuRules gpu(JsonTree node) {
        Map<String, JsonTree> o = node.object("gpu");
        JsonTree.onlyKeys(o, "gpu", "busyPercent", "busyFraction", "minIntervals", "encoderBusyPercent", "explainedBy",
                "computeLibraries", "description");
        List<LibraryClass> classes = new ArrayList<>();
        for (JsonTree t : req(o, "explainedBy", node).array("gpu.explainedBy")) {
            Map<String, JsonTree> c = t.object("a gpu.explainedBy entry");
            JsonTree.onlyKeys(c, "a gpu.explainedBy entry", "id", "what", "libraries");
            String id = req(c, "id", t).string("id");
            classes.add(new LibraryClass(id, req(c, "what", t).string("what"), patterns(c, "libraries")));
        }
        double fraction = req(o, "busyFraction", node).number("gpu.busyFraction").doubleValue();
        if (fraction <= 0 || fraction > 1) throw o.get("busyFraction").error("gpu.busyFraction is " + fraction + "; it must be in (0, 1]");
        return new GpuRules(req(o, "busyPercent", node).integer("gpu.busyPercent", 1, 100), fraction,
                req(o, "minIntervals", node).integer("gpu.minIntervals", 1, 1000),
                req(o, "encoderBusyPercent", node).integer("gpu.encoderBusyPercent", 1, 100), classes, patterns(o, "computeLibraries"));
    }

    private static List<Pattern> patterns(Map<String, JsonTree> m, String key) {
        List<Pattern> out = new ArrayList<>();
        if (m.containsKey(key)) for (JsonTree t : m.get(key).array(key)) out.add(regex(t, "a pattern in " + key));
        return out;
    }

    private static Stratum stratum(JsonTree node) {
        Map<String, JsonTree> o = node.object("stratum");
        JsonTree.onlyKeys(o, "stratum", "methods", "keyedMethods", "memoryStrings", "description");
        Map<String, List<String>> keyed = new LinkedHashMap<>();
        if (o.containsKey("keyedMethods")) {
            for (var e : o.get("keyedMethods").object("stratum.keyedMethods").entrySet()) {
                List<String> keys = e.getValue().strings("the keys of " + e.getKey());
                if (keys.isEmpty()) throw e.getValue().error("stratum method \"" + e.getKey() + "\" needs at least one key: a method name alone matches web apps too");
                keyed.put(e.getKey(), keys);
            }
        }
        List<BinaryString> mem = new ArrayList<>();
        if (o.containsKey("memoryStrings")) {
            for (JsonTree t : o.get("memoryStrings").array("stratum.memoryStrings")) {
                Map<String, JsonTree> b = t.object("a stratum.memoryStrings entry");
                JsonTree.onlyKeys(b, "a stratum.memoryStrings entry", "text", "weight");
                String text = req(b, "text", t).string("text");
                if (text.length() < 4) throw b.get("text").error("memory string \"" + text + "\" is shorter than 4 characters; it would match by chance");
                mem.add(new BinaryString(text, req(b, "weight", t).integer("weight", 1, 10)));
            }
        }
        return new Stratum(strings(o, "methods"), keyed, mem);
    }

    private static Sources sources(JsonTree node) {
        Map<String, JsonTree> o = node.object("sources");
        JsonTree.onlyKeys(o, "sources", "capture", "memory", "description");
        Sources d = Sources.DEFAULT;
        boolean capOn = d.captureEnabled();
        int capSeconds = d.captureSeconds();
        int capBytes = d.captureBytes();
        int capFlows = d.captureFlows();
        if (o.containsKey("capture")) {
            Map<String, JsonTree> c = o.get("capture").object("sources.capture");
            JsonTree.onlyKeys(c, "sources.capture", "enabled", "seconds", "bytes", "flows", "description");
            if (c.containsKey("enabled")) capOn = bool(c.get("enabled"), "sources.capture.enabled");
            if (c.containsKey("seconds")) capSeconds = c.get("seconds").integer("sources.capture.seconds", 1, 3600);
            if (c.containsKey("bytes")) capBytes = c.get("bytes").integer("sources.capture.bytes", 512, 1 << 20);
            if (c.containsKey("flows")) capFlows = c.get("flows").integer("sources.capture.flows", 1, 64);
        }
        boolean memOn = d.memoryEnabled();
        long memBytes = d.memoryBytesPerWindow();
        int memCpu = d.memoryCpuMsPerWindow();
        if (o.containsKey("memory")) {
            Map<String, JsonTree> c = o.get("memory").object("sources.memory");
            JsonTree.onlyKeys(c, "sources.memory", "enabled", "bytesPerWindow", "cpuMsPerWindow", "description");
            if (c.containsKey("enabled")) memOn = bool(c.get("enabled"), "sources.memory.enabled");
            if (c.containsKey("bytesPerWindow")) memBytes = longIn(c.get("bytesPerWindow"), "sources.memory.bytesPerWindow", 4096);
            if (c.containsKey("cpuMsPerWindow")) memCpu = c.get("cpuMsPerWindow").integer("sources.memory.cpuMsPerWindow", 1, 60_000);
        }
        return new Sources(capOn, capSeconds, capBytes, capFlows, memOn, memBytes, memCpu);
    }

    private static boolean bool(JsonTree t, String what) {
        if (t.value() instanceof Boolean b) return b;
        throw t.error(what + " is " + t.value() + "; it must be true or false");
    }

    private static MinerApis minerApis(JsonTree node) {
        Map<String, JsonTree> o = node.object("minerApis");
        JsonTree.onlyKeys(o, "minerApis", "timeoutMs", "maxBytes", "probesPerCycle", "requests", "answers", "description");
        List<ApiRequest> requests = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (JsonTree t : req(o, "requests", node).array("minerApis.requests")) {
            Map<String, JsonTree> r = t.object("a minerApis.requests entry");
            JsonTree.onlyKeys(r, "a minerApis.requests entry", "id", "send", "description");
            String id = req(r, "id", t).string("id");
            if (!ids.add(id)) throw r.get("id").error("minerApis request id \"" + id + "\" is used twice");
            String send = req(r, "send", t).string("send of " + id);
            if (send.isEmpty() || send.length() > 1024) throw r.get("send").error("send of " + id + " must be 1 to 1024 characters");
            requests.add(new ApiRequest(id, send));
        }
        List<ApiAnswer> answers = new ArrayList<>();
        for (JsonTree t : req(o, "answers", node).array("minerApis.answers")) {
            Map<String, JsonTree> a = t.object("a minerApis.answers entry");
            JsonTree.onlyKeys(a, "a minerApis.answers entry", "kind", "allOf", "description");
            String kind = req(a, "kind", t).string("kind");
            List<JsonTree> pats = req(a, "allOf", t).array("allOf of " + kind);
            if (pats.size() < 2) {
                throw a.get("allOf").error("allOf of " + kind + " has " + pats.size() + " pattern(s); a miner API answer must be"
                        + " recognised by at least two patterns together, one word matches innocent services too");
            }
            List<Pattern> allOf = new ArrayList<>();
            for (JsonTree p : pats) allOf.add(regex(p, "a pattern of " + kind));
            answers.add(new ApiAnswer(kind, allOf));
        }
        return new MinerApis(
                o.containsKey("timeoutMs") ? o.get("timeoutMs").integer("minerApis.timeoutMs", 10, 5000) : 300,
                o.containsKey("maxBytes") ? o.get("maxBytes").integer("minerApis.maxBytes", 256, 1 << 20) : 16384,
                o.containsKey("probesPerCycle") ? o.get("probesPerCycle").integer("minerApis.probesPerCycle", 0, 100) : 8,
                requests, answers);
    }

    private static JsonTree req(Map<String, JsonTree> m, String key, String file) {
        JsonTree t = m.get(key);
        if (t == null) throw new RulesException(file, 1, "\"" + key + "\" is missing");
        return t;
    }

    private static JsonTree req(Map<String, JsonTree> m, String key, JsonTree parent) {
        JsonTree t = m.get(key);
        if (t == null) throw parent.error("\"" + key + "\" is missing");
        return t;
    }

    private static List<String> strings(Map<String, JsonTree> m, String key) {
        return m.containsKey(key) ? m.get(key).strings(key) : List.of();
    }

    private static List<String> lower(List<String> l) {
        return l.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    private static Set<Integer> ports(Map<String, JsonTree> m, String key, String file) {
        Set<Integer> out = new LinkedHashSet<>();
        for (JsonTree t : req(m, key, file).array(key)) out.add(t.integer("a port in " + key, 1, 65535));
        return out;
    }

    private static Pattern regex(JsonTree t, String what) {
        String s = t.string(what);
        try {
            return Pattern.compile(s);
        } catch (PatternSyntaxException e) {
            throw t.error(what + " is not a valid regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
    }

    private static double fraction(JsonTree t) {
        double d = t.number("cpuSustainedFraction").doubleValue();
        if (d <= 0 || d > 1) throw t.error("cpuSustainedFraction is " + d + "; it must be in (0, 1]");
        return d;
    }

    private static long longIn(JsonTree t, String what, long min) {
        try {
            long v = t.number(what).longValueExact();
            if (v < min) throw t.error(what + " is " + v + "; it must be at least " + min);
            return v;
        } catch (ArithmeticException e) {
            throw t.error(what + " must be a whole number");
        }
    }
}
