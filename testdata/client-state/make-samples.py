#!/usr/bin/env python3
"""Writes the sample files of testdata/client-state/ (run from that directory).

The files are committed; this script records how they were made: the line ends and the
encodings (CP932, UTF-16LE with BOM, UTF-8 with BOM), and for public/ the published text with
personal data replaced (see README.md for the sources). Tests never run it.
"""

# ---- en/ ------------------------------------------------------------
import os
CRLF = True
def w(path, text, crlf=True):
    text = text.lstrip('\n') if text.startswith('\n\n') else text
    data = text.replace('\n', '\r\n') if crlf else text
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(data)

CMID_A = "5a1f7c3e-2b9d-4e61-8c4a-0d3f9b7e6a21"
IID = "0317920498172639017263458761209348762938741629837456120938476"

KMS_BLOCK_PINNED = f"""
Most recent activation information:
Key Management Service client information
    Client Machine ID (CMID): {CMID_A}
    Registered KMS machine name: kms-old.corp.example:1688
    KMS machine IP address: 192.0.2.10
    KMS machine extended PID: 03612-00206-568-381813-03-1033-17763.0000-2542023
    Activation interval: 120 minutes
    Renewal interval: 10080 minutes
    KMS host caching is enabled
"""

DLV_WIN10_PINNED = f"""Software licensing service version: 10.0.19041.3636

Name: Windows(R), Enterprise edition
Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel
Activation ID: 73111121-5638-40f6-bc11-f1d7b0d64300
Application ID: 55c92734-d682-4d71-983e-d6ec3f16059f
Extended PID: 03612-04854-000-000000-03-1033-19041.0000-2582023
Product Key Channel: Volume:GVLK
Installation ID: {IID}
Partial Product Key: 2YT43
License Status: Licensed
Volume activation expiration: 257903 minute(s) (180 day(s))
Remaining Windows rearm count: 1001
Remaining SKU rearm count: 1001
Trusted time: 11/20/2026 9:14:02 AM
Configured Activation Type: All
{KMS_BLOCK_PINNED}
"""
w('en/slmgr-dlv-pinned-kms-old-crlf.txt', DLV_WIN10_PINNED)
w('en/slmgr-dlv-pinned-kms-old-lf.txt', DLV_WIN10_PINNED, crlf=False)

# /dli of a client in initial grace; /skms was set: slmgr withholds its KMS block, the
# registry shows the pinned host.
DLI_GRACE_AND_REG = """C:\\Windows\\system32>cscript //nologo %windir%\\system32\\slmgr.vbs /dli

Name: Windows(R), Enterprise edition
Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel
Partial Product Key: 2YT43
License Status: Initial grace period
Time remaining: 41562 minute(s) (29 day(s))
Configured Activation Type: All
Please use slmgr.vbs /ato to activate and update KMS client information in order to update values.


C:\\Windows\\system32>reg query "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform"

HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform
    BackupProductKeyDefault    REG_SZ    NPPR9-FWDCX-D2C8J-H872K-2YT43
    KeyManagementServiceName    REG_SZ    kms-old.corp.example
    KeyManagementServicePort    REG_SZ    1688
    ServiceSessionId    REG_BINARY    2F1E0D3C4B5A69788796A5B4C3D2E1F0
    SkipRearm    REG_DWORD    0x0
    VLActivationInterval    REG_DWORD    0x78
    VLRenewalInterval    REG_DWORD    0x2760
    InactivityShutdownDelay    REG_DWORD    0x12c

"""
w('en/slmgr-dli-grace-pinned-with-reg.txt', DLI_GRACE_AND_REG)

DLI_LOOKUP = """
Name: Windows(R), Enterprise edition
Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel
Partial Product Key: 2YT43
License Status: Licensed
Volume activation expiration: 259135 minute(s) (180 day(s))
Configured Activation Type: All

Most recent activation information:
Key Management Service client information
    Client Machine ID (CMID): 9c3d2e1f-4a5b-4c6d-8e7f-0a1b2c3d4e5f
    Registered KMS SRV record lookup domain: kms.corp.example
    KMS machine name from DNS: kms1.kms.corp.example:1688
    KMS machine IP address: 192.0.2.21
    KMS machine extended PID: 03612-00206-568-381813-03-1033-17763.0000-2542023
    Activation interval: 120 minutes
    Renewal interval: 10080 minutes
    KMS host caching is enabled

"""
w('en/slmgr-dli-lookup-domain.txt', DLI_LOOKUP)

IPCONFIG_TWO = """
Windows IP Configuration

   Host Name . . . . . . . . . . . . : PC-LAB01
   Primary Dns Suffix  . . . . . . . : branch.corp.example
   Node Type . . . . . . . . . . . . : Hybrid
   IP Routing Enabled. . . . . . . . : No
   WINS Proxy Enabled. . . . . . . . : No
   DNS Suffix Search List. . . . . . : branch.corp.example
                                       corp.example

Ethernet adapter Ethernet:

   Connection-specific DNS Suffix  . : branch.corp.example
   Description . . . . . . . . . . . : Intel(R) Ethernet Connection (7) I219-LM
   Physical Address. . . . . . . . . : 00-15-5D-01-02-03
   DHCP Enabled. . . . . . . . . . . : Yes
   Autoconfiguration Enabled . . . . : Yes
   Link-local IPv6 Address . . . . . : fe80::5d1c:2b3a:4c5d:6e7f%12(Preferred) 
   IPv4 Address. . . . . . . . . . . : 192.0.2.101(Preferred) 
   Subnet Mask . . . . . . . . . . . : 255.255.255.0
   Lease Obtained. . . . . . . . . . : Friday, November 20, 2026 8:02:11 AM
   Lease Expires . . . . . . . . . . : Saturday, November 28, 2026 8:02:11 AM
   Default Gateway . . . . . . . . . : 192.0.2.1
   DHCP Server . . . . . . . . . . . : 192.0.2.2
   DHCPv6 IAID . . . . . . . . . . . : 100668765
   DHCPv6 Client DUID. . . . . . . . : 00-01-00-01-2C-11-22-33-00-15-5D-01-02-03
   DNS Servers . . . . . . . . . . . : 192.0.2.53
                                       192.0.2.54
   NetBIOS over Tcpip. . . . . . . . : Enabled

Wireless LAN adapter Wi-Fi:

   Media State . . . . . . . . . . . : Media disconnected
   Connection-specific DNS Suffix  . : guest.example
   Description . . . . . . . . . . . : Intel(R) Wi-Fi 6 AX201 160MHz
   Physical Address. . . . . . . . . : 00-15-5D-0A-0B-0C
   DHCP Enabled. . . . . . . . . . . : Yes
   Autoconfiguration Enabled . . . . : Yes
"""
w('en/ipconfig-all-two-suffixes.txt', IPCONFIG_TWO)

def clone(letter, ip, trusted):
    return f"""C:\\Windows\\system32>cscript //nologo %windir%\\system32\\slmgr.vbs /dlv
Software licensing service version: 10.0.19041.3636

Name: Windows(R), Enterprise edition
Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel
Activation ID: 73111121-5638-40f6-bc11-f1d7b0d64300
Application ID: 55c92734-d682-4d71-983e-d6ec3f16059f
Extended PID: 03612-04854-000-000000-03-1033-19041.0000-2582023
Product Key Channel: Volume:GVLK
Installation ID: {IID}
Partial Product Key: 2YT43
License Status: Licensed
Volume activation expiration: 25{letter}903 minute(s) (180 day(s))
Remaining Windows rearm count: 1001
Remaining SKU rearm count: 1001
Trusted time: {trusted}
Configured Activation Type: All

Most recent activation information:
Key Management Service client information
    Client Machine ID (CMID): 3e6f0c2a-91d4-4b7e-a5c8-6d2f1e0b9a47
    KMS machine name from DNS: kms1.corp.example:1688
    KMS machine IP address: 192.0.2.11
    KMS machine extended PID: 03612-00206-568-381813-03-1033-17763.0000-2542023
    Activation interval: 120 minutes
    Renewal interval: 10080 minutes
    KMS host caching is enabled


C:\\Windows\\system32>ipconfig /all

Windows IP Configuration

   Host Name . . . . . . . . . . . . : PC-CLONE-{ {'7':'A','8':'B','9':'C'}[letter] }
   Primary Dns Suffix  . . . . . . . : corp.example
   Node Type . . . . . . . . . . . . : Hybrid
   IP Routing Enabled. . . . . . . . : No
   WINS Proxy Enabled. . . . . . . . : No
   DNS Suffix Search List. . . . . . : corp.example

Ethernet adapter Ethernet0:

   Connection-specific DNS Suffix  . : corp.example
   Description . . . . . . . . . . . : vmxnet3 Ethernet Adapter
   Physical Address. . . . . . . . . : 00-50-56-00-00-0{letter}
   DHCP Enabled. . . . . . . . . . . : Yes
   Autoconfiguration Enabled . . . . : Yes
   IPv4 Address. . . . . . . . . . . : {ip}(Preferred) 
   Subnet Mask . . . . . . . . . . . : 255.255.255.0
   Default Gateway . . . . . . . . . : 192.0.2.1
   DHCP Server . . . . . . . . . . . : 192.0.2.2
   DNS Servers . . . . . . . . . . . : 192.0.2.53
   NetBIOS over Tcpip. . . . . . . . : Enabled
"""
w('en/slmgr-dlv-clone-a.txt', clone('7', '192.0.2.131', '11/20/2026 9:14:02 AM'))
w('en/slmgr-dlv-clone-b.txt', clone('8', '192.0.2.132', '11/20/2026 9:16:40 AM'))
w('en/slmgr-dlv-clone-c.txt', clone('9', '192.0.2.133', '11/20/2026 9:19:05 AM'))

MAK = f"""Software licensing service version: 10.0.17763.5122

Name: Windows(R), ServerStandard edition
Description: Windows(R) Operating System, VOLUME_MAK channel
Activation ID: de32eafd-aaee-4662-9444-c1befb41bde2
Application ID: 55c92734-d682-4d71-983e-d6ec3f16059f
Extended PID: 03612-03786-042-118227-03-1033-17763.0000-3232026
Product Key Channel: Volume:MAK
Installation ID: {IID}
Use License URL: https://activation-v2.sls.microsoft.com/SLActivateProduct/SLActivateProduct.asmx?configextension=Retail
Validation URL: https://validation-v2.sls.microsoft.com/SLWGA/slwga.asmx
Partial Product Key: 7BQ4M
License Status: Notification
Notification Reason: 0xC004C020.
Remaining Windows rearm count: 1000
Remaining SKU rearm count: 1000
Trusted time: 11/20/2026 10:02:44 AM

"""
w('en/slmgr-dlv-mak-0xC004C020.txt', MAK)

NOTIF = """
Name: Windows(R), Enterprise edition
Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel
Partial Product Key: 2YT43
License Status: Notification
Notification Reason: 0xC004F074.
Configured Activation Type: All
Please use slmgr.vbs /ato to activate and update KMS client information in order to update values.

"""
w('en/slmgr-dli-notification-0xC004F074.txt', NOTIF)

WIN7 = """
Name: Windows(R) 7, Enterprise edition
Description: Windows Operating System - Windows(R) 7, VOLUME_KMSCLIENT channel
Partial Product Key: HVTHH
License Status: Licensed
Volume activation expiration: 255060 minute(s) (178 day(s))

Key Management Service client information
    Client Machine ID (CMID): 0d4c3b2a-1f0e-4d9c-8b7a-695847362514
    KMS machine name from DNS: kms1.corp.example:1688
    KMS machine extended PID: 55041-00168-305-190596-03-1033-7601.0000-0812014
    Activation interval: 120 minutes
    Renewal interval: 10080 minutes
    KMS host caching is enabled

"""
w('en/slmgr-dli-win7-kms.txt', WIN7)

# Cut in the middle of the KMS block, as a paste into a ticket cut at a size limit.
TRUNC = DLV_WIN10_PINNED.split("    Registered KMS machine name")[0].rstrip('\n') + "\n"
w('en/slmgr-dlv-truncated.txt', TRUNC)

DLV_ALL = f"""Software licensing service version: 10.0.19041.3636

Name: Windows(R), Enterprise edition
Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel
Activation ID: 73111121-5638-40f6-bc11-f1d7b0d64300
Application ID: 55c92734-d682-4d71-983e-d6ec3f16059f
Extended PID: 03612-04854-000-000000-03-1033-19041.0000-2582023
Product Key Channel: Volume:GVLK
Installation ID: {IID}
Partial Product Key: 2YT43
License Status: Licensed
Volume activation expiration: 257903 minute(s) (180 day(s))
Remaining Windows rearm count: 1001
Remaining SKU rearm count: 1001
Trusted time: 11/20/2026 9:14:02 AM
Configured Activation Type: All

Most recent activation information:
Key Management Service client information
    Client Machine ID (CMID): {CMID_A}
    KMS machine name from DNS: kms1.corp.example:1688
    KMS machine IP address: 192.0.2.11
    KMS machine extended PID: 03612-00206-568-381813-03-1033-17763.0000-2542023
    Activation interval: 120 minutes
    Renewal interval: 10080 minutes
    KMS host caching is enabled

Name: Windows(R), EnterpriseN edition
Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel
Activation ID: e272e3e2-732f-4c65-a8f0-484747d0d947
Application ID: 55c92734-d682-4d71-983e-d6ec3f16059f
Extended PID: 
Product Key Channel: 
Installation ID: 
This license is not in use.
License Status: Unlicensed
Remaining Windows rearm count: 1001
Remaining SKU rearm count: 1001
Trusted time: 11/20/2026 9:14:02 AM
Configured Activation Type: All
Please use slmgr.vbs /ato to activate and update KMS client information in order to update values.

Name: Office 16, Office16ProPlusVL_KMS_Client edition
Description: Office 16, VOLUME_KMSCLIENT channel
Activation ID: d450596f-894d-49e0-966a-fd39ed4c4c64
Application ID: 0ff1ce15-a989-479d-af46-f275c6370663
Extended PID: 03612-04854-000-000000-03-1033-19041.0000-2582023
Product Key Channel: Volume:GVLK
Installation ID: {IID}
Partial Product Key: WFG99
License Status: Licensed
Volume activation expiration: 258012 minute(s) (180 day(s))
Remaining App rearm count: 5
Remaining SKU rearm count: 5
Trusted time: 11/20/2026 9:14:02 AM
Configured Activation Type: All

Most recent activation information:
Key Management Service client information
    Client Machine ID (CMID): {CMID_A}
    Registered KMS machine name: kms-old.corp.example:1688
    KMS machine IP address: 192.0.2.10
    KMS machine extended PID: 03612-00206-568-381813-03-1033-17763.0000-2542023
    Activation interval: 120 minutes
    Renewal interval: 10080 minutes
    KMS host caching is enabled

"""
w('en/slmgr-dlv-all-cscript.txt', DLV_ALL)

XPR = """Windows(R), Enterprise edition:
    Volume activation will expire 5/19/2027 9:14:02 AM

"""
w('en/slmgr-xpr-volume.txt', XPR)
w('en/slmgr-xpr-notification.txt', """Windows(R), Enterprise edition:
    Windows is in Notification mode

""")

REG_S = """
HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform
    BackupProductKeyDefault    REG_SZ    NPPR9-FWDCX-D2C8J-H872K-2YT43
    KeyManagementServiceName    REG_SZ    kms1.corp.example
    KeyManagementServicePort    REG_SZ    1688
    SkipRearm    REG_DWORD    0x0
    VLActivationInterval    REG_DWORD    0x78
    VLRenewalInterval    REG_DWORD    0x2760
    actionlist    REG_MULTI_SZ    \\0

HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform\\55c92734-d682-4d71-983e-d6ec3f16059f

HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform\\55c92734-d682-4d71-983e-d6ec3f16059f\\73111121-5638-40f6-bc11-f1d7b0d64300
    KeyManagementServiceName    REG_SZ    kms-old.corp.example
    KeyManagementServicePort    REG_SZ    1688

HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform\\Activation
    ProductActivationTime    REG_QWORD    0x1db3a6c2f1e4d00

"""
w('en/reg-query-spp-s-sku-override.txt', REG_S)

REG_OSPP = """
HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\OfficeSoftwareProtectionPlatform
    Path    REG_SZ    C:\\Program Files\\Common Files\\Microsoft Shared\\OfficeSoftwareProtectionPlatform\\
    KeyManagementServiceName    REG_SZ    kms-old.corp.example
    KeyManagementServicePort    REG_SZ    1688

"""
w('en/reg-query-ospp.txt', REG_OSPP)

OSPP = """Microsoft (R) Windows Script Host Version 5.812
Copyright (C) Microsoft Corporation. All rights reserved.

---Processing--------------------------
---------------------------------------
PRODUCT ID: 00339-10000-00000-AA586
SKU ID: fbdb3e18-a8ef-4fb3-9183-dffd60bd0984
LICENSE NAME: Office 21, Office21ProPlus2021VL_KMS_Client_AE edition
LICENSE DESCRIPTION: Office 21, VOLUME_KMSCLIENT channel
BETA EXPIRATION: 1601/1/1
LICENSE STATUS:  ---OOB_GRACE---
ERROR CODE: 0x4004F00C
ERROR DESCRIPTION: The Software Licensing Service reported that the application is running within the valid grace period.
REMAINING GRACE: 21 days  (31184 minute(s) before expiring)
Last 5 characters of installed product key: 6F7TH
Activation Type Configuration: ALL
	DNS auto-discovery: KMS name not available
	KMS machine registry override defined: kms-old.corp.example:1688
	Activation Interval: 120 minutes
	Renewal Interval: 10080 minutes
	KMS host caching: Enabled
---------------------------------------
PRODUCT ID: 00339-10000-00000-AA614
SKU ID: 76881159-155c-43e0-9db7-2d70a9a3a4ca
LICENSE NAME: Office 21, Office21ProjectPro2021VL_KMS_Client_AE edition
LICENSE DESCRIPTION: Office 21, VOLUME_KMSCLIENT channel
BETA EXPIRATION: 1601/1/1
LICENSE STATUS:  ---NOTIFICATIONS---
ERROR CODE: 0xC004F074
ERROR DESCRIPTION: The Software Licensing Service reported that the computer could not be activated. No Key Management Service (KMS) could be contacted. Please see the Application Event Log for additional information.
Last 5 characters of installed product key: QV9H8
Activation Type Configuration: ALL
	DNS auto-discovery: KMS name not available
	KMS machine registry override defined: kms-old.corp.example:1688
	Activation Interval: 120 minutes
	Renewal Interval: 10080 minutes
	KMS host caching: Enabled
---------------------------------------
---------------------------------------
---Exiting-----------------------------
"""
w('en/ospp-dstatus-override-kms-old.txt', OSPP)

DCMID = """---Processing--------------------------
---------------------------------------
Client Machine ID (CMID): 5a1f7c3e-2b9d-4e61-8c4a-0d3f9b7e6a21
---------------------------------------
---Exiting-----------------------------
"""
w('en/ospp-dcmid.txt', DCMID)

# ---- ja/ ------------------------------------------------------------
def enc(path, text, encoding, crlf=True):
    data = text.replace('\n', '\r\n') if crlf else text
    if encoding == 'utf-16le-bom':
        b = b'\xff\xfe' + data.encode('utf-16-le')
    elif encoding == 'utf-16be-bom':
        b = b'\xfe\xff' + data.encode('utf-16-be')
    elif encoding == 'utf-8-bom':
        b = b'\xef\xbb\xbf' + data.encode('utf-8')
    else:
        b = data.encode(encoding)
    open(path, 'wb').write(b)

IID = "0317920498172639017263458761209348762938741629837456120938476"
CMID = "5a1f7c3e-2b9d-4e61-8c4a-0d3f9b7e6a21"
# Labels marked (*) are confirmed by public samples; the others are reconstructions in
# Microsoft's Japanese terminology (see README.md): the parser reads those lines by shape.
DLV = f"""ソフトウェア ライセンス サービスのバージョン: 10.0.19041.3636

名前: Windows(R), Enterprise edition
説明: Windows(R) Operating System, VOLUME_KMSCLIENT channel
ライセンス認証 ID: 73111121-5638-40f6-bc11-f1d7b0d64300
アプリケーション ID: 55c92734-d682-4d71-983e-d6ec3f16059f
拡張 PID: 03612-04854-000-000000-03-1041-19041.0000-2582023
プロダクト キー チャネル: Volume:GVLK
インストール ID: {IID}
部分プロダクト キー: 2YT43
ライセンスの状態: ライセンスされています
ボリューム ライセンス認証の有効期限: 257903 分 (180 日)
残りのWindows猶予期限リセット可能回数: 1001
残りの SKU 猶予期限リセット可能回数: 1001
信頼済み時刻: 2026/11/20 9:14:02
構成されたライセンス認証の種類: All

最新のライセンス認証情報:
キー管理サービスのクライアント情報
    クライアント コンピューター ID (CMID): {CMID}
    登録済みの KMS コンピューター名: kms-old.corp.example:1688
    KMS コンピューターの IP アドレス: 192.0.2.10
    KMS コンピューターの拡張 PID: 03612-00206-568-381813-03-1041-17763.0000-2542023
    ライセンス認証の間隔: 120 分
    更新の間隔: 10080 分
    KMS ホストのキャッシュが有効です

"""
enc('ja/slmgr-dlv-pinned-kms-old-cp932.txt', DLV, 'cp932')
enc('ja/slmgr-dlv-pinned-kms-old-utf16le.txt', DLV, 'utf-16le-bom')

DLI_DNS = f"""
名前: Windows(R), Enterprise edition
説明: Windows(R) Operating System, VOLUME_KMSCLIENT channel
部分プロダクト キー: 2YT43
ライセンスの状態: ライセンスされています
ボリューム ライセンス認証の有効期限: 259135 分 (180 日)
構成されたライセンス認証の種類: All

最新のライセンス認証情報:
キー管理サービスのクライアント情報
    クライアント コンピューター ID (CMID): 9c3d2e1f-4a5b-4c6d-8e7f-0a1b2c3d4e5f
    DNS の KMS コンピューター名: kms1.corp.example:1688
    KMS コンピューターの IP アドレス: 192.0.2.21
    KMS コンピューターの拡張 PID: 03612-00206-568-381813-03-1041-17763.0000-2542023
    ライセンス認証の間隔: 120 分
    更新の間隔: 10080 分
    KMS ホストのキャッシュが無効です

"""
enc('ja/slmgr-dli-dns-utf8.txt', DLI_DNS, 'utf-8')
enc('ja/slmgr-dli-dns-utf8bom-lf.txt', DLI_DNS, 'utf-8-bom', crlf=False)

NOTIF = """
名前: Windows(R), Enterprise edition
説明: Windows(R) Operating System, VOLUME_KMSCLIENT channel
部分プロダクト キー: 2YT43
ライセンスの状態: 通知
通知の理由: 0xC004F074.
構成されたライセンス認証の種類: All
KMS クライアント情報を更新するには、slmgr.vbs /ato を使用してライセンス認証を行ってください。

"""
enc('ja/slmgr-dli-notification-cp932.txt', NOTIF, 'cp932')

XPR = """Windows(R), Enterprise edition:
    Windowsは通知モードです

"""
enc('ja/slmgr-xpr-notification-cp932.txt', XPR, 'cp932')

IPC = """
Windows IP 構成

   ホスト名. . . . . . . . . . . . . . .: PC-LAB02
   プライマリ DNS サフィックス . . . . .: branch.corp.example
   ノード タイプ . . . . . . . . . . . .: ハイブリッド
   IP ルーティング有効 . . . . . . . . .: いいえ
   WINS プロキシ有効 . . . . . . . . . .: いいえ
   DNS サフィックス検索一覧. . . . . . .: branch.corp.example
                                          corp.example

イーサネット アダプター イーサネット:

   接続固有の DNS サフィックス . . . . .: branch.corp.example
   説明. . . . . . . . . . . . . . . . .: Intel(R) Ethernet Connection (7) I219-LM
   物理アドレス. . . . . . . . . . . . .: 00-15-5D-01-02-04
   DHCP 有効 . . . . . . . . . . . . . .: はい
   自動構成有効. . . . . . . . . . . . .: はい
   リンクローカル IPv6 アドレス. . . . .: fe80::5d1c:2b3a:4c5d:6e80%12(優先)
   IPv4 アドレス . . . . . . . . . . . .: 192.0.2.102(優先)
   サブネット マスク . . . . . . . . . .: 255.255.255.0
   デフォルト ゲートウェイ . . . . . . .: 192.0.2.1
   DHCP サーバー . . . . . . . . . . . .: 192.0.2.2
   DNS サーバー. . . . . . . . . . . . .: 192.0.2.53
                                          192.0.2.54
   NetBIOS over TCP/IP . . . . . . . . .: 有効
"""
enc('ja/ipconfig-all-two-suffixes-cp932.txt', IPC, 'cp932')
enc('ja/ipconfig-all-two-suffixes-utf16le.txt', IPC, 'utf-16le-bom')

OSPP_COMBO = """C:\\Program Files\\Microsoft Office\\Office16>cscript ospp.vbs /dstatus
Microsoft (R) Windows Script Host Version 5.812
Copyright (C) Microsoft Corporation. All rights reserved.

---Processing--------------------------
---------------------------------------
PRODUCT ID: 00339-10000-00000-AA586
SKU ID: fbdb3e18-a8ef-4fb3-9183-dffd60bd0984
LICENSE NAME: Office 21, Office21ProPlus2021VL_KMS_Client_AE edition
LICENSE DESCRIPTION: Office 21, VOLUME_KMSCLIENT channel
BETA EXPIRATION: 1601/1/1
LICENSE STATUS:  ---OOB_GRACE---
ERROR CODE: 0x4004F00C
ERROR DESCRIPTION: The Software Licensing Service reported that the application is running within the valid grace period.
REMAINING GRACE: 21 days  (31184 minute(s) before expiring)
Last 5 characters of installed product key: 6F7TH
Activation Type Configuration: ALL
	DNS auto-discovery: KMS name not available
	KMS machine registry override defined: kms-old.corp.example:1688
	Activation Interval: 120 minutes
	Renewal Interval: 10080 minutes
	KMS host caching: Enabled
---------------------------------------
---------------------------------------
---Exiting-----------------------------

C:\\Program Files\\Microsoft Office\\Office16>cscript //nologo C:\\Windows\\System32\\slmgr.vbs /dli

名前: Windows(R), Enterprise edition
説明: Windows(R) Operating System, VOLUME_KMSCLIENT channel
部分プロダクト キー: 2YT43
ライセンスの状態: ライセンスされています
ボリューム ライセンス認証の有効期限: 259135 分 (180 日)
構成されたライセンス認証の種類: All

最新のライセンス認証情報:
キー管理サービスのクライアント情報
    クライアント コンピューター ID (CMID): 5a1f7c3e-2b9d-4e61-8c4a-0d3f9b7e6a21
    DNS の KMS コンピューター名: kms1.corp.example:1688
    KMS コンピューターの IP アドレス: 192.0.2.21
    KMS コンピューターの拡張 PID: 03612-00206-568-381813-03-1041-17763.0000-2542023
    ライセンス認証の間隔: 120 分
    更新の間隔: 10080 分
    KMS ホストのキャッシュが有効です

"""
enc('ja/ospp-dstatus-override-and-slmgr-dli-cp932.txt', OSPP_COMBO, 'cp932')

# ---- public/ --------------------------------------------------------
def w(path, text, crlf=True, encoding='utf-8'):
    data = text.replace('\n', '\r\n') if crlf else text
    bom = b'\xff\xfe' if encoding == 'utf-16-le' else b''
    open(path, 'wb').write(bom + data.encode(encoding))

w('public/checkmk-server2012-dli.txt', """
Name: Windows(R), ServerStandard edition
Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel
Partial Product Key: MDVJX
License Status: Licensed
Volume activation expiration: 253564 minute(s) (177 day(s))
Configured Activation Type: All

Most recent activation information:
Key Management Service client information
Client Machine ID (CMID): 2b7e1d4c-6a3f-4e2d-9c1b-8f7a6e5d4c3b
KMS machine name from DNS: kms1.corp.example:1688
KMS machine IP address: 192.0.2.229
KMS machine extended PID: 06401-00206-491-411285-03-1031-9600.0000-0802017
Activation interval: 120 minutes
Renewal interval: 10080 minutes
KMS host caching is enabled

""", crlf=False)

w('public/checkmk-win7-timebased-eval-dli.txt', """
Name: Windows(R) 7, Enterprise edition
Description: Windows Operating System - Windows(R) 7, TIMEBASED_EVAL channel
Partial Product Key: JCDDG
License Status: Initial grace period
Time remaining: 12960 minute(s) (9 day(s))
""", crlf=False)

w('public/checkmk-server2008-wrapped-dli.txt', """

Name: Windows Server(R), ServerStandard edition
Description: Windows Operating System - Windows Server(R), VOLUME_KMSCLIENT chan
nel
Partial Product Key: R7VHC
License Status: Licensed
Volume activation expiration: 251100 minute(s) (174 day(s))

Key Management Service client information
Client Machine ID (CMID): 7c6b5a49-3827-4615-a4b3-c2d1e0f9a8b7
KMS machine name from DNS: kms1.corp.example:1688
KMS machine extended PID: 06401-00206-491-411285-03-1031-9600.0000-0802017
Activation interval: 120 minutes
Renewal interval: 10080 minutes
KMS host caching is enabled""", crlf=False)

w('public/checkmk-win10pro-oem-dli.txt', """
Name: Windows(R), Professional edition
Description: Windows(R) Operating System, OEM_DM channel
Partial Product Key: D692P
License Status: Licensed""", crlf=False)

w('public/ospp-office16-standard-oob-grace.txt', """Microsoft (R) Windows Script Host Version 5.812
Copyright (C) Microsoft Corporation. All rights reserved.

---Processing--------------------------
---------------------------------------
PRODUCT ID: 00340-80000-00000-AA287
SKU ID: dedfa23d-6ed1-45a6-85dc-63cae0546de6
LICENSE NAME: Office 16, Office16StandardVL_KMS_Client edition
LICENSE DESCRIPTION: Office 16, VOLUME_KMSCLIENT channel
LICENSE STATUS:  ---OOB_GRACE---
ERROR CODE: 0x4004F00C
ERROR DESCRIPTION: The Software Licensing Service reported that the application is running within the valid grace period.
REMAINING GRACE: 29 days  (43194 minute(s) before expiring)
Last 5 characters of installed product key: DRTFM
Activation Type Configuration: ALL
\tDNS auto-discovery: KMS name not available
\tActivation Interval: 120 minutes
\tRenewal Interval: 10080 minutes
\tKMS host caching: Enabled
---------------------------------------
---------------------------------------
---Exiting-----------------------------
""")

w('public/ospp-office15-licensed-dns-russian-banner.txt', """Сервер сценариев Windows (Microsoft R) версия 5.812
Copyright (C) Корпорация Майкрософт 1996-2006, все права защищены.

---Processing--------------------------
---------------------------------------
SKU ID: b322da9c-a2e2-4058-9e4e-f59a6970bd69
LICENSE NAME: Office 15, OfficeProPlusVL_KMS_Client edition
LICENSE DESCRIPTION: Office 15, VOLUME_KMSCLIENT channel
LICENSE STATUS:  ---LICENSED--- 
ERROR CODE: 0x4004F040 (for information purposes only as the status is licensed)
ERROR DESCRIPTION: The Software Licensing Service reported that the product was activated but the owner should verify the Product Use Rights.
REMAINING GRACE: 178 days  (256748 minute(s) before expiring)
Last 5 characters of installed product key: GVGXT
Activation Type Configuration: ALL
\tKMS machine name from DNS: kms.branch.example:1688
\tActivation Interval: 120 minutes
\tRenewal Interval: 10080 minutes
\tKMS host caching: Enabled
---------------------------------------
---------------------------------------
---Exiting-----------------------------
""")

w('public/ospp-office21-override-chinese-banner-truncated.txt', """C:\\Program Files\\Microsoft Office\\Office16>cscript OSPP.VBS /dstatus
Microsoft (R) Windows Script Host Version 5.812
版权所有(C) Microsoft Corporation。保留所有权利。

---Processing--------------------------
---------------------------------------
PRODUCT ID: XXXXX-XXXXX-XXXXX-XXXXX
SKU ID: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx
LICENSE NAME: Office 21, Office21VisioPro2021VL_KMS_Client_AE edition
LICENSE DESCRIPTION: Office 21, VOLUME_KMSCLIENT channel
BETA EXPIRATION: 1601/1/1
LICENSE STATUS:  ---LICENSED---
REMAINING GRACE: 179 days  (259172 minute(s) before expiring)
Last 5 characters of installed product key: K2HT4
Activation Type Configuration: ALL
        DNS auto-discovery: KMS name not available
        KMS machine registry override defined: kms-server addr:1688
        Activation Interval: 120 minutes
        Renewal Interval: 10080 minutes
        KMS host caching: Enabled
---------------------------------------
PRODUCT ID: XXXXX-XXXXX-XXXXX-XXXXX
SKU ID: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx
LICENSE NAME: Office 21, Office21ProPlus2021VL_KMS_Client_AE edition
LICENSE DESCRIPTION: Office 21, VOLUME_KMSCLIENT channel
BETA EXPIRATION: 1601/1/1
LICENSE STATUS:  ---LICENSED---
REMAINING GRACE: 179 days  (259172 minute(s) before expiring)
Last 5 characters of installed product key: 6F7TH
Activation Type Configuration: ALL
        DNS auto-discovery: KMS name not available
        KMS machine registry override defined: kms-server addr:1688
""")

w('public/ospp-office16-proplus-override-ip-port.txt', """PS C:\\Program Files\\Microsoft Office\\Office16> cscript ospp.vbs /dstatus
Microsoft (R) Windows Script Host Version 5.812
Copyright (C) Microsoft Corporation. All rights reserved.

---Processing--------------------------
---------------------------------------
PRODUCT ID: 00339-10000-00000-AA718
SKU ID: d450596f-894d-49e0-966a-fd39ed4c4c64
LICENSE NAME: Office 16, Office16ProPlusVL_KMS_Client edition
LICENSE DESCRIPTION: Office 16, VOLUME_KMSCLIENT channel
LICENSE STATUS:  ---LICENSED---
ERROR CODE: 0x4004F040 (for information purposes only as the status is licensed)
ERROR DESCRIPTION: The Software Licensing Service reported that the product was activated but the owner should verify the Product Use Rights.
REMAINING GRACE: 179 days  (258642 minute(s) before expiring)
Last 5 characters of installed product key: WFG99
Activation Type Configuration: ALL
        DNS auto-discovery: KMS name not available
        KMS machine registry override defined: 203.0.113.78:16886
        Activation Interval: 120 minutes
        Renewal Interval: 10080 minutes
        KMS host caching: Enabled
---------------------------------------
---------------------------------------
---Exiting-----------------------------
""")

w('public/ospp-office24-mak-oob-grace-excerpt.txt', """PRODUCT ID: 00503-08309-68568-AA367
SKU ID: 44a07f51-8263-4b2f-b2a5-70340055c646
LICENSE NAME: Office 24, Office24Standard2024VL_MAK_AE1 edition
LICENSE DESCRIPTION: Office 24, RETAIL(MAK) channel
LICENSE STATUS:  ---OOB_GRACE---
ERROR CODE: 0x4004F00C
ERROR DESCRIPTION: The Software Licensing Service reported that the application is running within the valid grace period.
REMAINING GRACE: 29 days  (42278 minute(s) before expiring)
""")

w('public/ospp-office15-unpkey-and-dstatus-chinese-banner.txt', """PS D:\\Program Files (x86)\\Microsoft Office\\Office15> cscript ospp.vbs /unpkey:27GXM
Microsoft (R) Windows Script Host Version 5.812
版权所有(C) Microsoft Corporation。保留所有权利。

---Processing--------------------------
---------------------------------------
Uninstalling product key for: Office 15, OfficeProPlusR_Grace edition
<Product key uninstall successful>
---------------------------------------
---Exiting-----------------------------
PS D:\\Program Files (x86)\\Microsoft Office\\Office15> cscript ospp.vbs /dstatus
Microsoft (R) Windows Script Host Version 5.812
版权所有(C) Microsoft Corporation。保留所有权利。

---Processing--------------------------
---------------------------------------
SKU ID: b23afb38-cd79-4ae5-9f7f-eed058d750ca
LICENSE NAME: Office 15, OfficeStandardVL_KMS_Client edition
LICENSE DESCRIPTION: Office 15, VOLUME_KMSCLIENT channel
LICENSE STATUS:  ---LICENSED---
REMAINING GRACE: 179 days  (259188 minute(s) before expiring)
Last 5 characters of installed product key: 92CD4
Activation Type Configuration: ALL
        DNS auto-discovery: KMS name not available
        KMS machine registry override defined: kms.example.net:1688
        Activation Interval: 1 minutes
        Renewal Interval: 23303 minutes
        KMS host caching: Enabled
---------------------------------------
---------------------------------------
---Exiting-----------------------------
""")

w('public/ipconfig-en-two-suffixes.txt', """
Windows IP Configuration

   Host Name . . . . . . . . . . . . : NIC
   Primary Dns Suffix  . . . . . . . : c.cc
   Node Type . . . . . . . . . . . . : Hybrid
   IP Routing Enabled. . . . . . . . : No
   WINS Proxy Enabled. . . . . . . . : No
   DNS Suffix Search List. . . . . . : c.cc
                                       home

Ethernet adapter Ethernet:

   Connection-specific DNS Suffix  . : home
   Description . . . . . . . . . . . : Intel(R) 82579LM Gigabit Network Connection
   Physical Address. . . . . . . . . : 00-15-5D-2A-D1-70
   DHCP Enabled. . . . . . . . . . . : Yes
   Autoconfiguration Enabled . . . . : Yes
   Link-local IPv6 Address . . . . . : fe80::fdec:b9dc:394e:af2%6(Preferred) 
   IPv4 Address. . . . . . . . . . . : 192.168.0.185(Preferred) 
   Subnet Mask . . . . . . . . . . . : 255.255.255.0
   Lease Obtained. . . . . . . . . . : úterý 6. dubna 2021 13:36:39
   Lease Expires . . . . . . . . . . : úterý 6. dubna 2021 17:36:39
   Default Gateway . . . . . . . . . : 192.168.0.1
   DHCP Server . . . . . . . . . . . : 192.168.0.1
   DHCPv6 IAID . . . . . . . . . . . : 100671878
   DHCPv6 Client DUID. . . . . . . . : 00-01-00-01-27-B9-CE-47-00-15-5D-2A-D1-70
   DNS Servers . . . . . . . . . . . : 198.51.100.38
                                       198.51.100.39
   NetBIOS over Tcpip. . . . . . . . : Enabled

Tunnel adapter Teredo Tunneling Pseudo-Interface:

   Connection-specific DNS Suffix  . : 
   Description . . . . . . . . . . . : Microsoft Teredo Tunneling Adapter
   Physical Address. . . . . . . . . : 00-00-00-00-00-00-00-E0
   DHCP Enabled. . . . . . . . . . . : No
   Autoconfiguration Enabled . . . . : Yes
   IPv6 Address. . . . . . . . . . . : 2001:0:284a:364:2048:1ea9:a699:849e(Preferred) 
   Link-local IPv6 Address . . . . . : fe80::2048:1ea9:a699:849e%11(Preferred) 
   Default Gateway . . . . . . . . . : ::
   DHCPv6 IAID . . . . . . . . . . . : 83886080
""")

w('public/ipconfig-ja-win2019-ec2-excerpt.txt', """ipconfig /all

Windows IP 構成

   ホスト名. . . . . . . . . . . . . . .: EC2AMAZ-ABCDEFG
   プライマリ DNS サフィックス . . . . .:
   ノード タイプ . . . . . . . . . . . .: ハイブリッド
   IP ルーティング有効 . . . . . . . . .: いいえ
   WINS プロキシ有効 . . . . . . . . . .: いいえ
   DNS サフィックス検索一覧. . . . . . .: ap-northeast-1.ec2-utilities.amazonaws.com
                                          us-east-1.ec2-utilities.amazonaws.com
                                          onprem.internal

イーサネット アダプター イーサネット:
   <中略>
   IPv4 アドレス . . . . . . . . . . . .: 10.2.128.209(優先)

   <中略>

   DNS サーバー. . . . . . . . . . . . .: 10.2.64.115
   NetBIOS over TCP/IP . . . . . . . . .: 有効
""", encoding='cp932')

w('public/ipconfig-ja-virtualbox-truncated.txt', """PS C:\\Users\\user> ipconfig /all

Windows IP 構成

   ホスト名. . . . . . . . . . . . . . .: DESKTOP-ABC1234
   プライマリ DNS サフィックス . . . . .:
   ノード タイプ . . . . . . . . . . . .: ハイブリッド
   IP ルーティング有効 . . . . . . . . .: いいえ
   WINS プロキシ有効 . . . . . . . . . .: いいえ

イーサネット アダプター vbox0:

   接続固有の DNS サフィックス . . . . .:
   説明. . . . . . . . . . . . . . . . .: VirtualBox Host-Only Ethernet Adapter
   物理アドレス. . . . . . . . . . . . .: 0A-00-27-00-00-11
   DHCP 有効 . . . . . . . . . . . . . .: いいえ
   自動構成有効. . . . . . . . . . . . .: はい
   リンクローカル IPv6 アドレス. . . . .: fe80::c152:dc1a:a4c3:8fea%17(優先)
   IPv4 アドレス . . . . . . . . . . . .: 10.161.204.246(優先)
   サブネット マスク . . . . . . . . . .: 255.255.255.0
   デフォルト ゲートウェイ . . . . . . .:
   DHCPv6 IAID . . . . . . . . . . . . .: 688521255
   DHCPv6 クライアント DUID. . . . . . .: 00-01-00-01-2F-00-00-00-0A-00-27-00-00-11
   DNS サーバー. . . . . . . . . . . . .: fec0:0:0:ffff::1%1
                                          fec0:0:0:ffff::2%1
                                          fec0:0:0:ffff::3%1
   NetBIOS over TCP/IP . . . . . . . . .: 有効

Wireless LAN adapter Wi-Fi:

   メディアの状態. . . . . .""", encoding='utf-16-le')

w('public/ipconfig-ja-win7-wrapped.txt', """C:\\Users\\user>ipconfig /all

Windows IP 構成

   ホスト名 . . . . . . . . . . . . : PC-WIN7
   プライマリ DNS サフィックス . . . . . . . :
   ノード タイプ . . . . . . . . . . . . : ハイブリッド
   IP ルーティング有効 . . . . . . . . : いいえ
   WINS プロキシ有効 . . . . . . . . : いいえ
   DNS サフィックス検索一覧 . . . . . . : workgroup

イーサネット アダプター ローカル エリア接続:

   接続固有の DNS サフィックス . . . : workgroup
   説明. . . . . . . . . . . . . . . : Intel(R) 82579LM Gigabit Network Connecti
on
   物理アドレス. . . . . . . . . . . : 12-FE-B4-00-00-5D
   DHCP 有効 . . . . . . . . . . . . : はい
   自動構成有効. . . . . . . . . . . : はい
   リンクローカル IPv6 アドレス. . . . : fe60::80ec:a40c:c4aa:24d4%08(優先)
   IPv4 アドレス . . . . . . . . . . : 192.168.1.101(優先)
   サブネット マスク . . . . . . . . : 255.255.255.0
   リース取得. . . . . . . . . . . . : 2015年6月1日 12:37:49
   リースの有効期限. . . . . . . . . : 2015年6月4日 12:37:50
   デフォルト ゲートウェイ . . . . . : 192.168.1.254
   DHCP サーバー . . . . . . . . . . : 192.168.1.254
   DHCPv6 IAID . . . . . . . . . . . : 236256949
   DHCPv6 クライアント DUID. . . . . . . . : 00-01-00-01-1B-06-0D-FB-14-FE-B5-00-00-5C
   DNS サーバー. . . . . . . . . . . : 192.168.1.1
""", encoding='cp932')

w('public/ipconfig-de.txt', """C:\\Users\\user>ipconfig/all

Windows-IP-Konfiguration

   Hostname  . . . . . . . . . . . . : vujh
   Primäres DNS-Suffix . . . . . . . :
   Knotentyp . . . . . . . . . . . . : Hybrid
   IP-Routing aktiviert  . . . . . . : Nein
   WINS-Proxy aktiviert  . . . . . . : Nein
   DNS-Suffixsuchliste . . . . . . . : fritz.box

Ethernet-Adapter Ethernet:

   Medienstatus. . . . . . . . . . . : Medium getrennt
   Verbindungsspezifisches DNS-Suffix:
   Beschreibung. . . . . . . . . . . : Realtek PCIe GbE Family Controller
   Physische Adresse . . . . . . . . : 40-C2-BA-00-00-46
   DHCP aktiviert. . . . . . . . . . : Ja
   Autokonfiguration aktiviert . . . : Ja
""")
