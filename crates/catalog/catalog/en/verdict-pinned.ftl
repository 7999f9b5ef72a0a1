# verdict (report/src/verdict.rs): how clients find KMS when every host comes from the client
# state's pins (slmgr /skms, ospp.vbs /sethst), not from the command line.
verdict-discovery-pinned = hosts pinned by the client state (slmgr /skms or a registry override), not DNS discovery
