package bench

// jwtguard's own entries; filled in as verify, httpmw and grpcmw land.

func oursVerifyLibs() []lib { return nil }

func oursHTTPLibs() []lib { return nil }

func oursStormLibs() []stormLib { return nil }

func oursGRPCLibs() []lib { return nil }
