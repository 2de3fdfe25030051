using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using SchemaCheck;

// validate <crd-folder> <manifest>...   one line per document: OK, SKIP (no CRD) or ERROR; exit 1 when any ERROR
// compare  <expected> <actual>          EQUAL, or one DIFF line per difference; exit 1 when they differ
// full     <crd-folder> <apiVersion> <kind> [--unknown]   a maximal document as YAML-compatible JSON
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: SchemaCheck validate <crds> <files...> | compare <expected> <actual> | full <crds> <apiVersion> <kind> [--unknown]");
    return 2;
}

switch (args[0])
{
    case "validate":
    {
        var crds = new Crds(args[1]);
        var failed = false;
        foreach (var file in args.Skip(2))
        {
            var documents = Manifests.ReadAll(File.ReadAllText(file));
            for (var i = 0; i < documents.Count; i++)
            {
                var doc = documents[i]!.AsObject();
                var apiVersion = doc["apiVersion"]?.GetValue<string>() ?? "?";
                var kind = doc["kind"]?.GetValue<string>() ?? "?";
                var label = $"{file}#{i + 1} {kind}/{doc["metadata"]?["name"]}";
                if (!crds.Knows(apiVersion, kind))
                {
                    Console.WriteLine($"SKIP {label}");
                    continue;
                }

                var errors = crds.Validate(doc);
                failed |= errors.Count > 0;
                Console.WriteLine(errors.Count == 0 ? $"OK {label}" : $"ERROR {label}: {string.Join("; ", errors)}");
            }
        }

        return failed ? 1 : 0;
    }

    case "compare":
    {
        var expected = Manifests.ReadAll(File.ReadAllText(args[1]));
        var actual = Manifests.ReadAll(File.ReadAllText(args[2]));
        var diffs = Manifests.Differences(new JsonArray(expected.Select(d => d?.DeepClone()).ToArray()), new JsonArray(actual.Select(d => d?.DeepClone()).ToArray()));
        foreach (var diff in diffs)
        {
            Console.WriteLine($"DIFF {diff}");
        }

        if (diffs.Count == 0)
        {
            Console.WriteLine("EQUAL");
        }

        return diffs.Count == 0 ? 0 : 1;
    }

    case "full":
        Console.WriteLine(new Crds(args[1]).FullDocument(args[2], args[3], args.Contains("--unknown")).ToJsonString());
        return 0;

    default:
        Console.Error.WriteLine($"unknown command {args[0]}");
        return 2;
}
